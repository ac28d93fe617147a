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
  /** old table key → new table key (renamed, or moved to another schema). */
  tableRenames: Map<string, string>
  /** old enum key → new enum name (same schema). fromEnums and the types of old columns already use the new name. */
  enumRenames: Map<string, string>
  /** old table key → (old column → new column). */
  columnRenames: Map<string, Map<string, string>>
  /** enum key → (old value → new value). */
  enumValueRenames: Map<string, Map<string, string>>
}

function byKey<T extends {schema: string; name: string}>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [tableKey(item), item]))
}

export function buildContext(from: SchemaModel, to: SchemaModel, renames: Rename[]): DiffContext {
  const toEnums = byKey(to.enums)
  const enumRenames = new Map<string, string>()
  // An enum rename counts only when the old type exists and the new name is a type of the new model only.
  for (const r of renames) {
    if (r.kind !== 'enum') continue
    const oldKey = `${r.schema}.${r.from}`
    const newKey = `${r.schema}.${r.to}`
    if (
      from.enums.some((e) => tableKey(e) === oldKey) &&
      toEnums.has(newKey) &&
      !from.enums.some((e) => tableKey(e) === newKey)
    )
      enumRenames.set(oldKey, r.to)
  }
  // The rename runs first: every later step (up, and down until its very end) sees the new name.
  const renamedFrom = enumRenames.size === 0 ? from : renameEnumsIn(from, enumRenames)
  const ctx: DiffContext = {
    from,
    to,
    fromTables: byKey(renamedFrom.tables),
    toTables: byKey(to.tables),
    fromEnums: byKey(renamedFrom.enums),
    toEnums,
    enums: new Set([...from.enums.map(tableKey), ...toEnums.keys()]),
    tableRenames: new Map(),
    enumRenames,
    columnRenames: new Map(),
    enumValueRenames: new Map(),
  }
  // A table rename or move counts only when the old table and the new one exist (else it is no rename).
  for (const r of renames) {
    if (r.kind !== 'table' && r.kind !== 'tableSchema') continue
    const oldKey = r.kind === 'table' ? `${r.schema}.${r.from}` : `${r.schema}.${r.table}`
    const newKey = r.kind === 'table' ? `${r.schema}.${r.to}` : `${r.toSchema}.${r.table}`
    if (ctx.fromTables.has(oldKey) && ctx.toTables.has(newKey)) ctx.tableRenames.set(oldKey, newKey)
  }
  for (const r of renames) {
    if (r.kind === 'column') addColumnRename(ctx, r)
    if (r.kind === 'enumValue') {
      const name = enumRenames.get(`${r.schema}.${r.enum}`) ?? r.enum
      mapOf(ctx.enumValueRenames, `${r.schema}.${name}`).set(r.from, r.to)
    }
  }
  return ctx
}

/** The old model as it is once its enum types are renamed: the types and the columns using them. */
function renameEnumsIn(model: SchemaModel, enumRenames: Map<string, string>): SchemaModel {
  const renamed = (schema: string, name: string): string => enumRenames.get(`${schema}.${name}`) ?? name
  const retype = (c: ColumnModel): ColumnModel => {
    const name = renamed(c.type.schema ?? 'public', c.type.name)
    return name === c.type.name ? c : {...c, type: {...c.type, name}}
  }
  return {
    ...model,
    enums: model.enums.map((e) => ({...e, name: renamed(e.schema, e.name)})),
    tables: model.tables.map((t) => ({...t, columns: t.columns.map(retype)})),
  }
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
  return ctx.tableRenames.get(oldKey) ?? oldKey
}

/** Old key of a new table, if it existed before (under this or another name). */
export function oldTableKey(ctx: DiffContext, newKey: string): string | undefined {
  for (const [oldKey, key] of ctx.tableRenames) if (key === newKey) return oldKey
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
  return (
    column.notNull ||
    column.identity ||
    serialKind(column.type) !== undefined ||
    (table.primaryKey?.columns.includes(column.name) ?? false)
  )
}

export function mappedValues(ctx: DiffContext, e: EnumModel): string[] {
  const renames = ctx.enumValueRenames.get(tableKey(e))
  return renames ? e.values.map((v) => renames.get(v) ?? v) : e.values
}
