/**
 * Column types: every type must be a PostgreSQL built-in (or alias, or an array of one), an enum of
 * the schema, or a known extension type (a warning: the extension must be installed). DBML itself
 * accepts any word as a type.
 */
import type {ColumnModel, TableModel} from '../schema/model.js'
import {
  INTEGER_TYPES,
  canonicalTypeName,
  didYouMean,
  extensionOf,
  knownTypeNames,
  typeArgsProblem,
} from '../schema/types.js'
import {type Check, type CheckContext, type Diagnostic, SOLUTIONS, plural, qualified} from './diagnostic.js'

/** Types of other databases that DBML files carry over, with the PostgreSQL type meant. */
const FOREIGN_TYPES: Record<string, string> = {
  datetime: 'timestamp',
  datetime2: 'timestamp',
  smalldatetime: 'timestamp',
  datetimeoffset: 'timestamptz',
  nvarchar: 'varchar',
  nchar: 'char',
  ntext: 'text',
  longtext: 'text',
  mediumtext: 'text',
  tinytext: 'text',
  tinyint: 'smallint',
  mediumint: 'integer',
  blob: 'bytea',
  longblob: 'bytea',
  uniqueidentifier: 'uuid',
}

export const typesCheck: Check = {
  name: 'types',
  run(ctx) {
    const diagnostics: Diagnostic[] = []
    let columns = 0
    const enumNames = [...ctx.enums.values()].map((e) => e.name)
    for (const table of ctx.parsed.model.tables) {
      for (const column of table.columns) {
        columns++
        diagnostics.push(...checkColumn(ctx, table, column, enumNames))
      }
    }
    return {diagnostics, looked: `types of ${plural(columns, 'column')} (${plural(ctx.enums.size, 'enum')} known)`}
  },
}

/** The enum a column type names, if any: qualified names first, else public, else any schema. */
export function enumOf(ctx: CheckContext, column: ColumnModel) {
  const {name, schema} = column.type
  if (schema) return ctx.enums.get(`${schema}.${name}`)
  if (canonicalTypeName(name)) return undefined
  return ctx.enums.get(`public.${name}`) ?? [...ctx.enums.values()].find((e) => e.name === name)
}

function checkColumn(ctx: CheckContext, table: TableModel, column: ColumnModel, enumNames: string[]): Diagnostic[] {
  const where = `${qualified(table.schema, table.name)}.${column.name}`
  const canonical = canonicalTypeName(column.type.name)
  const out: Diagnostic[] = []
  if (!canonical && !column.type.schema && !enumOf(ctx, column)) {
    const guess =
      FOREIGN_TYPES[column.type.name.toLowerCase()] ?? didYouMean(column.type.name, [...knownTypeNames(), ...enumNames])
    const suggestion = guess ? `: did you mean '${guess}'?` : ''
    out.push(
      ctx.at(
        column.loc,
        'error',
        'unknown-type',
        `Unknown data type '${column.type.name}' for column ${where}${suggestion}`,
        SOLUTIONS.type,
      ),
    )
  } else if (!canonical && column.type.schema && !enumOf(ctx, column)) {
    const written = `${column.type.schema}.${column.type.name}`
    out.push(
      ctx.at(
        column.loc,
        'error',
        'unknown-type',
        `Unknown data type '${written}' for column ${where}: no such enum`,
        SOLUTIONS.type,
      ),
    )
  }
  const argsProblem = typeArgsProblem(column.type.name, column.type.args)
  if (argsProblem) out.push(ctx.at(column.loc, 'error', 'type-args', `column ${where}: ${argsProblem}`, SOLUTIONS.type))
  const extension = extensionOf(column.type.name)
  if (extension) {
    out.push(
      ctx.at(
        column.loc,
        'warning',
        'extension-type',
        `type '${column.type.name}' of column ${where} needs the ${extension} extension`,
        `add CREATE EXTENSION IF NOT EXISTS ${extension} to a migration before this table`,
      ),
    )
  }
  if (column.identity && (!canonical || !INTEGER_TYPES.has(canonical) || column.type.arrayDims > 0)) {
    out.push(
      ctx.at(
        column.loc,
        'error',
        'identity-type',
        `column ${where} is [increment] but of type '${column.type.name}': identity columns must be smallint, integer or bigint`,
      ),
    )
  }
  return out
}
