/**
 * Maps a server error on a generated statement back to the DBML that produced it:
 * "schema.dbml:9:3: default current_date + interval 1 year: syntax error at or near "1"".
 * The statement's change names its object (schema.table[.column|.constraint], schema.index,
 * schema.enum); the error's position, when the server gives one, narrows a CREATE TABLE down to
 * the column, key or check on that line.
 */
import type {ColumnModel, SchemaModel, SourceLocation, TableModel} from '../schema/model.js'
import type {Change} from '../diff/change.js'

export interface PgErrorLike {
  message: string
  position?: string
  code?: string
}

interface Located {
  loc?: SourceLocation
  label: string
}

export function locateError(
  error: PgErrorLike,
  statement: string,
  change: Change,
  model: SchemaModel,
  file: string,
): string {
  const found = locate(error, statement, change, model)
  const where = found.loc ? `${file}:${found.loc.line}:${found.loc.column}` : `${file}`
  return `${where}: ${found.label}: ${error.message}`
}

function locate(error: PgErrorLike, statement: string, change: Change, model: SchemaModel): Located {
  for (const table of model.tables) {
    const key = `${table.schema}.${table.name}`
    if (change.object === key) return inTable(table, error, statement)
    if (change.object.startsWith(`${key}.`)) return inMember(table, change.object.slice(key.length + 1), error)
  }
  for (const table of model.tables) {
    const index = table.indexes.find((i) => change.object === `${table.schema}.${i.name}`)
    if (index)
      return {loc: index.loc ?? table.loc, label: `index ${index.name}${index.method ? ` using ${index.method}` : ''}`}
  }
  const e = model.enums.find((x) => change.object === `${x.schema}.${x.name}`)
  if (e) return {loc: e.loc, label: `enum ${e.name}`}
  return {label: change.summary}
}

/** A column or a named constraint of the table. */
function inMember(table: TableModel, name: string, error: PgErrorLike): Located {
  const column = table.columns.find((c) => c.name === name)
  if (column) return columnLabel(column, error)
  const check = table.checks.find((c) => c.name === name)
  if (check) return {loc: check.loc ?? table.loc, label: `check ${check.expression}`}
  const fk = table.foreignKeys.find((f) => f.name === name)
  if (fk)
    return {
      loc: fk.loc ?? table.loc,
      label: `ref ${table.name}.(${fk.columns.join(', ')}) > ${fk.refTable}.(${fk.refColumns.join(', ')})`,
    }
  const unique = table.uniques.find((u) => u.name === name)
  if (unique) return {loc: unique.loc ?? table.loc, label: `unique (${unique.columns.join(', ')})`}
  return {loc: table.loc, label: `table ${table.name}`}
}

function columnLabel(column: ColumnModel, error: PgErrorLike): Located {
  const d = column.default
  // An expression default is the usual culprit, unless the message is about the column's type.
  const aboutType = error.message.includes(`"${column.type.name}"`)
  if (d?.kind === 'expression' && !aboutType) return {loc: column.loc, label: `default ${d.sql}`}
  return {loc: column.loc, label: `column ${column.name} ${column.type.name}`}
}

/**
 * CREATE TABLE puts one column, key or check per line (src/sql/ddl.ts createTable): the line the
 * error position falls on says which.
 */
function inTable(table: TableModel, error: PgErrorLike, statement: string): Located {
  const position = Number(error.position)
  if (!Number.isInteger(position) || position < 1 || !statement.startsWith('CREATE TABLE'))
    return {loc: table.loc, label: `table ${table.name}`}
  const lineIndex = statement.slice(0, position - 1).split('\n').length - 1
  const items: Array<() => Located> = [
    ...table.columns.map((c) => () => columnAt(c, statement, position)),
    ...(table.primaryKey
      ? [
          () => ({
            loc: table.primaryKey!.loc ?? table.loc,
            label: `primary key (${table.primaryKey!.columns.join(', ')})`,
          }),
        ]
      : []),
    ...table.uniques.map((u) => () => ({loc: u.loc ?? table.loc, label: `unique (${u.columns.join(', ')})`})),
    ...table.checks.map((c) => () => ({loc: c.loc ?? table.loc, label: `check ${c.expression}`})),
  ]
  return items[lineIndex - 1]?.() ?? {loc: table.loc, label: `table ${table.name}`}
}

/** Within a column's line: in its DEFAULT clause, or elsewhere (name, type, identity). */
function columnAt(column: ColumnModel, statement: string, position: number): Located {
  const lineStart = statement.lastIndexOf('\n', position - 2) + 1
  const line = statement.slice(lineStart, statement.indexOf('\n', lineStart) >>> 0 || undefined)
  const defaultAt = line.indexOf(' DEFAULT ')
  const inDefault = column.default !== undefined && defaultAt >= 0 && position - 1 - lineStart >= defaultAt
  if (inDefault && column.default?.kind === 'expression')
    return {loc: column.loc, label: `default ${column.default.sql}`}
  const identity = column.identity ? ' [increment]' : ''
  return {
    loc: column.loc,
    label: `column ${column.name} ${column.type.name}${column.type.args.length ? `(${column.type.args.join(',')})` : ''}${identity}`,
  }
}
