/**
 * Foreign keys: the target table and columns exist, the target columns are a primary key or unique
 * (PostgreSQL refuses otherwise), and each column has a type comparable with the one it references.
 */
import type {ColumnModel, ForeignKeyModel, TableModel} from '../schema/model.js'
import {canonicalTypeName, formatType, typeFamily} from '../schema/types.js'
import {type Check, type CheckContext, type Diagnostic, plural, qualified} from './diagnostic.js'

export const referencesCheck: Check = {
  name: 'references',
  run(ctx) {
    const diagnostics: Diagnostic[] = []
    let count = 0
    for (const table of ctx.parsed.model.tables) {
      for (const fk of table.foreignKeys) {
        count++
        diagnostics.push(...checkForeignKey(ctx, table, fk))
      }
    }
    return {diagnostics, looked: `${plural(count, 'foreign key')}: targets, target keys, column types`}
  },
}

const label = (table: {schema: string; name: string}, columns: string[]): string =>
  `${qualified(table.schema, table.name)}.${columns.length === 1 ? columns[0] : `(${columns.join(', ')})`}`

function checkForeignKey(ctx: CheckContext, table: TableModel, fk: ForeignKeyModel): Diagnostic[] {
  const from = label(table, fk.columns)
  const target = ctx.tables.get(`${fk.refSchema}.${fk.refTable}`)
  const to = label({schema: fk.refSchema, name: fk.refTable}, fk.refColumns)
  if (!target) {
    return [
      ctx.at(
        fk.loc,
        'error',
        'fk-target',
        `missing foreign-key target: ${from} references table '${qualified(fk.refSchema, fk.refTable)}', which does not exist`,
      ),
    ]
  }
  const missing = fk.refColumns.filter((c) => !target.columns.some((col) => col.name === c))
  if (missing.length > 0) {
    return [
      ctx.at(
        fk.loc,
        'error',
        'fk-target',
        `missing foreign-key target: ${from} references column '${missing[0]}', which does not exist in ${qualified(target.schema, target.name)}`,
      ),
    ]
  }
  const out: Diagnostic[] = []
  if (!isUniqueKey(target, fk.refColumns)) {
    out.push(
      ctx.at(
        fk.loc,
        'error',
        'fk-target-key',
        `foreign key ${from} references ${to}, which is neither a primary key nor unique`,
        `mark ${to} [unique] or [pk], or reference the primary key`,
      ),
    )
  }
  fk.columns.forEach((name, i) => {
    const column = table.columns.find((c) => c.name === name)
    const referenced = target.columns.find((c) => c.name === fk.refColumns[i])
    if (column && referenced && !comparable(column, referenced)) {
      const message = `foreign key ${label(table, [name])} is ${formatType(column.type)} but references ${label(target, [referenced.name])} of type ${formatType(referenced.type)}`
      out.push(
        ctx.at(column.loc ?? fk.loc, 'error', 'fk-type', message, `declare ${name} as ${formatType(referenced.type)}`),
      )
    }
  })
  return out
}

/** PostgreSQL needs a primary key or unique constraint/index on exactly these columns (any order). */
export function isUniqueKey(table: TableModel, columns: string[]): boolean {
  const same = (cols: string[]) => cols.length === columns.length && columns.every((c) => cols.includes(c))
  if (table.primaryKey && same(table.primaryKey.columns)) return true
  if (table.uniques.some((u) => same(u.columns))) return true
  return table.indexes.some(
    (i) =>
      i.unique &&
      i.parts.every((p) => p.kind === 'column') &&
      same(i.parts.map((p) => (p.kind === 'column' ? p.name : ''))),
  )
}

/**
 * Same type, or members of one family PostgreSQL compares directly (integer widths, serials,
 * text/varchar). Unknown types are left to the type check.
 */
function comparable(a: ColumnModel, b: ColumnModel): boolean {
  if (a.type.arrayDims !== b.type.arrayDims) return false
  const ka = canonicalTypeName(a.type.name)
  const kb = canonicalTypeName(b.type.name)
  if (!ka && !kb) return a.type.name === b.type.name && (a.type.schema ?? '') === (b.type.schema ?? '')
  if (!ka || !kb) return false
  return typeFamily(ka) === typeFamily(kb)
}
