/**
 * What every part of the diff needs: both models indexed by key, and the renames as maps between
 * old and new names, so that an old object can be compared with its new self.
 */
import type {ColumnModel, EnumModel, SchemaModel, TableModel} from '../schema/model.js'
import type {EnumSet} from '../sql/ddl.js'
import type {Rename} from './change.js'
import {serialKind} from './serial.js'

export function tableKey(t: {schema: string; name: string}): string {
  return `${t.schema}.${t.name}`
}

export interface DiffContext {
  from: SchemaModel
  to: SchemaModel
  fromTables: Map<string, TableModel>
  toTables: Map<string, TableModel>
  fromEnums: Map<string, EnumModel>
  toEnums: Map<string, EnumModel>
  /** Enum keys of both models: the SQL generator quotes these type names. */
  enums: EnumSet
  /** old table key → new table name (same schema). */
  tableRenames: Map<string, string>
  /** old table key → (old column → new column). */
  columnRenames: Map<string, Map<string, string>>
  /** enum key → (old value → new value). */
  enumValueRenames: Map<string, Map<string, string>>
}

function byKey<T extends {schema: string; name: string}>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [tableKey(item), item]))
}

export function buildContext(from: SchemaModel, to: SchemaModel, renames: Rename[]): DiffContext {
  const fromEnums = byKey(from.enums)
  const toEnums = byKey(to.enums)
  const ctx: DiffContext = {
    from,
    to,
    fromTables: byKey(from.tables),
    toTables: byKey(to.tables),
    fromEnums,
    toEnums,
    enums: new Set([...fromEnums.keys(), ...toEnums.keys()]),
    tableRenames: new Map(),
    columnRenames: new Map(),
    enumValueRenames: new Map(),
  }
  // A table rename counts only when the old table and the new one exist (else it is no rename).
  for (const r of renames) {
    if (r.kind !== 'table') continue
    if (ctx.fromTables.has(`${r.schema}.${r.from}`) && ctx.toTables.has(`${r.schema}.${r.to}`)) ctx.tableRenames.set(`${r.schema}.${r.from}`, r.to)
  }
  for (const r of renames) {
    if (r.kind === 'column') addColumnRename(ctx, r)
    if (r.kind === 'enumValue') mapOf(ctx.enumValueRenames, `${r.schema}.${r.enum}`).set(r.from, r.to)
  }
  return ctx
}

function mapOf<K, V>(maps: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let map = maps.get(key)
  if (!map) maps.set(key, (map = new Map<K, V>()))
  return map
}

/** A column rename may name the table by its old or its new name. */
function addColumnRename(ctx: DiffContext, r: Extract<Rename, {kind: 'column'}>): void {
  const key = `${r.schema}.${r.table}`
  const oldKey = ctx.fromTables.has(key) ? key : (oldTableKey(ctx, key) ?? key)
  mapOf(ctx.columnRenames, oldKey).set(r.from, r.to)
}

/** New key of an old table (itself when not renamed). */
export function newTableKey(ctx: DiffContext, oldKey: string): string {
  const renamed = ctx.tableRenames.get(oldKey)
  if (renamed === undefined) return oldKey
  return `${oldKey.slice(0, oldKey.indexOf('.'))}.${renamed}`
}

/** Old key of a new table, if it existed before (under this or another name). */
export function oldTableKey(ctx: DiffContext, newKey: string): string | undefined {
  for (const [oldKey, newName] of ctx.tableRenames) {
    if (`${oldKey.slice(0, oldKey.indexOf('.'))}.${newName}` === newKey) return oldKey
  }
  if (ctx.tableRenames.has(newKey)) return undefined // the old table of that name was renamed away
  return ctx.fromTables.has(newKey) ? newKey : undefined
}

export function newColumnName(ctx: DiffContext, oldTable: string, column: string): string {
  return ctx.columnRenames.get(oldTable)?.get(column) ?? column
}

/**
 * Columns are NOT NULL when declared so, or when PostgreSQL forces it: part of the primary key,
 * an identity column, or a serial type.
 */
export function effectiveNotNull(table: TableModel, column: ColumnModel): boolean {
  return column.notNull || column.identity || serialKind(column.type) !== undefined || (table.primaryKey?.columns.includes(column.name) ?? false)
}

export function mappedValues(ctx: DiffContext, e: EnumModel): string[] {
  const renames = ctx.enumValueRenames.get(tableKey(e))
  return renames ? e.values.map((v) => renames.get(v) ?? v) : e.values
}
