/**
 * Rename detection. A diff cannot tell a rename from a drop plus an add, and guessing wrong loses
 * data, so it only proposes candidates: a table (or column) that disappears while a compatible one
 * appears, an enum type that disappears while one with the same values appears, a table that
 * disappears from one schema while one of the same name and compatible columns appears in another.
 * The caller decides (a prompt, or --rename / --allow-drop).
 */
import type {SchemaModel, TableModel} from '../schema/model.js'
import type {Rename} from './change.js'
import {buildContext, newColumnName, newTableKey, oldTableKey} from './context.js'
import {sameType} from '../schema/types.js'
import {isWidening} from './types.js'

export type RenameCandidate =
  | {kind: 'table'; schema: string; from: string; to: string}
  | {kind: 'column'; schema: string; table: string; from: string; to: string}
  | {kind: 'enum'; schema: string; from: string; to: string}
  | {kind: 'tableSchema'; schema: string; table: string; toSchema: string}

/** Tables are compatible when at least half of their columns match by name and type. */
function tablesCompatible(a: TableModel, b: TableModel): boolean {
  const shared = a.columns.filter((c) =>
    b.columns.some((d) => d.name === c.name && (sameType(c.type, d.type) || isWidening(c.type, d.type))),
  )
  return shared.length * 2 >= Math.max(a.columns.length, b.columns.length)
}

export function findRenameCandidates(from: SchemaModel, to: SchemaModel, renames: Rename[] = []): RenameCandidate[] {
  const ctx = buildContext(from, to, renames)
  const candidates: RenameCandidate[] = []
  const dropped = [...ctx.fromTables].filter(([key]) => !ctx.toTables.has(newTableKey(ctx, key))).map(([, t]) => t)
  const added = [...ctx.toTables].filter(([key]) => oldTableKey(ctx, key) === undefined).map(([, t]) => t)
  for (const d of dropped) {
    for (const a of added) {
      if (!tablesCompatible(d, a)) continue
      if (a.schema === d.schema) candidates.push({kind: 'table', schema: d.schema, from: d.name, to: a.name})
      else if (a.name === d.name)
        candidates.push({kind: 'tableSchema', schema: d.schema, table: d.name, toSchema: a.schema})
    }
  }
  candidates.push(...enumCandidates(from, to, ctx.enumRenames))
  for (const [oldKey, old] of ctx.fromTables) {
    const table = ctx.toTables.get(newTableKey(ctx, oldKey))
    if (!table) continue
    const mapped = new Set(old.columns.map((c) => newColumnName(ctx, oldKey, c.name)))
    const goneColumns = old.columns.filter(
      (c) => !table.columns.some((n) => n.name === newColumnName(ctx, oldKey, c.name)),
    )
    const newColumns = table.columns.filter((c) => !mapped.has(c.name))
    for (const g of goneColumns) {
      for (const n of newColumns) {
        if (sameType(g.type, n.type) || isWidening(g.type, n.type)) {
          candidates.push({kind: 'column', schema: old.schema, table: old.name, from: g.name, to: n.name})
        }
      }
    }
  }
  return candidates
}

/** Enum types that disappear while one with the same values (in the same order) appears in the same schema. */
function enumCandidates(from: SchemaModel, to: SchemaModel, enumRenames: Map<string, string>): RenameCandidate[] {
  const key = (e: {schema: string; name: string}): string => `${e.schema}.${e.name}`
  const targets = new Set([...enumRenames].map(([oldKey, name]) => `${oldKey.slice(0, oldKey.indexOf('.'))}.${name}`))
  const dropped = from.enums.filter((e) => !enumRenames.has(key(e)) && !to.enums.some((n) => key(n) === key(e)))
  const added = to.enums.filter((e) => !targets.has(key(e)) && !from.enums.some((o) => key(o) === key(e)))
  const candidates: RenameCandidate[] = []
  for (const d of dropped) {
    for (const a of added) {
      if (a.schema === d.schema && a.values.join('\u0000') === d.values.join('\u0000'))
        candidates.push({kind: 'enum', schema: d.schema, from: d.name, to: a.name})
    }
  }
  return candidates
}

/** How to accept a candidate on the command line. */
export function renameFlag(c: RenameCandidate): string {
  const prefix = c.schema === 'public' ? '' : `${c.schema}.`
  if (c.kind === 'tableSchema') return `--rename ${c.schema}.${c.table}=${c.toSchema}.${c.table}`
  return c.kind === 'column' ? `--rename ${prefix}${c.table}.${c.from}=${c.to}` : `--rename ${prefix}${c.from}=${c.to}`
}

export function describeCandidate(c: RenameCandidate): string {
  switch (c.kind) {
    case 'table':
      return `table ${c.schema}.${c.from} disappears and ${c.schema}.${c.to} appears`
    case 'column':
      return `column ${c.schema}.${c.table}.${c.from} disappears and ${c.to} appears`
    case 'enum':
      return `enum ${c.schema}.${c.from} disappears and ${c.schema}.${c.to} appears with the same values`
    case 'tableSchema':
      return `table ${c.schema}.${c.table} disappears and ${c.toSchema}.${c.table} appears (a move to schema ${c.toSchema}?)`
  }
}

export function candidateToRename(c: RenameCandidate): Rename {
  return {...c}
}

/**
 * Parse --rename values against the old and new models:
 *   old_table=new_table, schema.old_table=new_table            (a table)
 *   table.old_col=new_col, schema.table.old_col=new_col        (a column)
 *   enum.old_value=new_value, schema.enum.old_value=new_value  (an enum value)
 *   old_enum=new_enum, schema.old_enum=new_enum                (an enum type, when no table has that name)
 *   table=new_schema.table, schema.table=new_schema.table      (a table moved to another schema)
 * "a.b=c" is a table rename when schema a has a table b, an enum rename when schema a has an enum b,
 * otherwise a column (or enum value) of public.a.
 */
export function parseRename(spec: string, from: SchemaModel): Rename | string {
  const eq = spec.indexOf('=')
  if (eq <= 0 || eq === spec.length - 1) return `"${spec}" is not of the form old=new`
  const left = spec.slice(0, eq).split('.')
  const to = spec.slice(eq + 1)
  const hasTable = (schema: string, name: string): boolean =>
    from.tables.some((t) => t.schema === schema && t.name === name)
  const hasEnum = (schema: string, name: string): boolean =>
    from.enums.some((e) => e.schema === schema && e.name === name)
  const member = (schema: string, parent: string, name: string): Rename | string => {
    if (hasTable(schema, parent)) return {kind: 'column', schema, table: parent, from: name, to}
    if (hasEnum(schema, parent)) return {kind: 'enumValue', schema, enum: parent, from: name, to}
    return `"${spec}": no table or enum ${schema}.${parent} in the previous schema`
  }
  if (to.includes('.')) return parseMove(spec, left, to, hasTable)
  if (left.length === 1) {
    if (hasTable('public', left[0])) return {kind: 'table', schema: 'public', from: left[0], to}
    if (hasEnum('public', left[0])) return {kind: 'enum', schema: 'public', from: left[0], to}
    return `"${spec}": no table or enum public.${left[0]} in the previous schema`
  }
  if (left.length === 2) {
    if (hasTable(left[0], left[1])) return {kind: 'table', schema: left[0], from: left[1], to}
    if (hasEnum(left[0], left[1])) return {kind: 'enum', schema: left[0], from: left[1], to}
    return member('public', left[0], left[1])
  }
  if (left.length === 3) return member(left[0], left[1], left[2])
  return `"${spec}" has too many dots`
}

/** [schema.]table=new_schema.table: the name stays (rename it in another run if it must change). */
function parseMove(
  spec: string,
  left: string[],
  to: string,
  hasTable: (schema: string, name: string) => boolean,
): Rename | string {
  const [toSchema, name, ...rest] = to.split('.')
  if (rest.length > 0 || !toSchema || !name || left.length > 2)
    return `"${spec}": a move is written [schema.]table=new_schema.table`
  const [schema, table] = left.length === 1 ? ['public', left[0]] : left
  if (!hasTable(schema, table)) return `"${spec}": no table ${schema}.${table} in the previous schema`
  if (name !== table)
    return `"${spec}": a table moves to another schema under the same name (rename it in a separate run)`
  if (toSchema === schema) return `"${spec}": ${schema}.${table} is already in schema ${schema}`
  return {kind: 'tableSchema', schema, table, toSchema}
}
