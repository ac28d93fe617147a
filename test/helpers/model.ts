/**
 * A compact way to write schema models in tests (the DBML parser is another module). Names of
 * constraints follow PostgreSQL's defaults, as the parser's do: users_pkey, users_email_key,
 * posts_author_id_fkey, users_email_idx.
 */
import type {
  CheckModel,
  ColumnModel,
  ColumnType,
  DefaultValue,
  EnumModel,
  ForeignKeyModel,
  IndexModel,
  ReferentialAction,
  SchemaModel,
  TableModel,
} from '../../src/schema/model.js'

export function type(spec: string): ColumnType {
  const m = /^(?:(\w+)\.)?([a-z_ ]+?)(?:\(([^)]*)\))?((?:\[\])*)$/i.exec(spec.trim())
  if (!m) throw new Error(`bad type ${spec}`)
  const t: ColumnType = {name: m[2], args: m[3] ? m[3].split(',').map((a) => a.trim()) : [], arrayDims: m[4].length / 2}
  if (m[1]) t.schema = m[1]
  return t
}

export const expr = (sql: string): DefaultValue => ({kind: 'expression', sql})
export const str = (value: string): DefaultValue => ({kind: 'string', value})
export const num = (value: string): DefaultValue => ({kind: 'number', value})
export const bool = (value: boolean): DefaultValue => ({kind: 'boolean', value})

export interface ColumnOptions {
  pk?: boolean
  unique?: boolean
  notNull?: boolean
  default?: DefaultValue
  identity?: boolean
  note?: string
  ref?: {table: string; column?: string; schema?: string; onDelete?: ReferentialAction; onUpdate?: ReferentialAction}
}

export interface Col extends ColumnModel {
  options: ColumnOptions
}

export function col(name: string, typeSpec: string, options: ColumnOptions = {}): Col {
  const c: Col = {
    name,
    type: type(typeSpec),
    notNull: options.notNull ?? false,
    identity: options.identity ?? false,
    options,
  }
  if (options.default) c.default = options.default
  if (options.note !== undefined) c.note = options.note
  return c
}

export interface TableOptions {
  schema?: string
  note?: string
  pk?: string[]
  indexes?: Array<{
    columns?: string[]
    expression?: string
    unique?: boolean
    method?: string
    name?: string
    note?: string
  }>
  uniques?: string[][]
  checks?: Array<{name?: string; expression: string}>
  fks?: Array<{
    columns: string[]
    table: string
    refColumns: string[]
    schema?: string
    onDelete?: ReferentialAction
    onUpdate?: ReferentialAction
    name?: string
  }>
}

export function table(name: string, columns: Col[], options: TableOptions = {}): TableModel {
  const schema = options.schema ?? 'public'
  const pkColumns = options.pk ?? columns.filter((c) => c.options.pk).map((c) => c.name)
  const uniques = [...columns.filter((c) => c.options.unique).map((c) => [c.name]), ...(options.uniques ?? [])]
  const fks: ForeignKeyModel[] = columns
    .filter((c) => c.options.ref)
    .map((c) =>
      fk(
        name,
        [c.name],
        c.options.ref!.schema ?? 'public',
        c.options.ref!.table,
        [c.options.ref!.column ?? 'id'],
        c.options.ref,
      ),
    )
  for (const f of options.fks ?? []) {
    fks.push({
      ...fk(name, f.columns, f.schema ?? 'public', f.table, f.refColumns, f),
      ...(f.name ? {name: f.name} : {}),
    })
  }
  const t: TableModel = {
    schema,
    name,
    columns: columns.map(({options: _o, ...c}) => c),
    uniques: uniques.map((cols) => ({name: `${name}_${cols.join('_')}_key`, columns: cols})),
    indexes: (options.indexes ?? []).map((i) => index(name, i)),
    foreignKeys: fks,
    checks: (options.checks ?? []).map((c, i): CheckModel => ({
      name: c.name ?? `${name}_check${i === 0 ? '' : i}`,
      expression: c.expression,
    })),
  }
  if (pkColumns.length > 0) t.primaryKey = {name: `${name}_pkey`, columns: pkColumns}
  if (options.note !== undefined) t.note = options.note
  return t
}

function fk(
  table: string,
  columns: string[],
  refSchema: string,
  refTable: string,
  refColumns: string[],
  actions: {onDelete?: ReferentialAction; onUpdate?: ReferentialAction} = {},
): ForeignKeyModel {
  const f: ForeignKeyModel = {name: `${table}_${columns.join('_')}_fkey`, columns, refSchema, refTable, refColumns}
  if (actions.onDelete) f.onDelete = actions.onDelete
  if (actions.onUpdate) f.onUpdate = actions.onUpdate
  return f
}

function index(table: string, i: NonNullable<TableOptions['indexes']>[number]): IndexModel {
  const parts = i.columns
    ? i.columns.map((name) => ({kind: 'column' as const, name}))
    : [{kind: 'expression' as const, sql: i.expression!}]
  const label = i.columns ? i.columns.join('_') : 'expr'
  const m: IndexModel = {name: i.name ?? `${table}_${label}_idx`, parts, unique: i.unique ?? false}
  if (i.method) m.method = i.method
  if (i.note !== undefined) m.note = i.note
  return m
}

export function enumType(name: string, values: string[], options: {schema?: string; note?: string} = {}): EnumModel {
  const e: EnumModel = {schema: options.schema ?? 'public', name, values}
  if (options.note !== undefined) e.note = options.note
  return e
}

export function model(tables: TableModel[], enums: EnumModel[] = []): SchemaModel {
  const schemas = [...new Set([...tables.map((t) => t.schema), ...enums.map((e) => e.schema), 'public'])].sort()
  return {version: 1, schemas, enums, tables, tableGroups: []}
}
