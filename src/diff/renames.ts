/**
 * Rename detection. A diff cannot tell a rename from a drop plus an add, and guessing wrong loses
 * data, so it only proposes candidates: a table (or column) that disappears while a compatible one
 * appears. The caller decides (a prompt, or --rename / --allow-drop).
 */
import type {SchemaModel, TableModel} from '../schema/model.js'
import type {Rename} from './change.js'
import {buildContext, newColumnName, newTableKey, oldTableKey} from './context.js'
import {sameType} from '../schema/types.js'
import {isWidening} from './types.js'

export type RenameCandidate =
  | {kind: 'table'; schema: string; from: string; to: string}
  | {kind: 'column'; schema: string; table: string; from: string; to: string}

/** Tables are compatible when at least half of their columns match by name and type. */
function tablesCompatible(a: TableModel, b: TableModel): boolean {
  const shared = a.columns.filter((c) => b.columns.some((d) => d.name === c.name && (sameType(c.type, d.type) || isWidening(c.type, d.type))))
  return shared.length * 2 >= Math.max(a.columns.length, b.columns.length)
}

export function findRenameCandidates(from: SchemaModel, to: SchemaModel, renames: Rename[] = []): RenameCandidate[] {
  const ctx = buildContext(from, to, renames)
  const candidates: RenameCandidate[] = []
  const dropped = [...ctx.fromTables].filter(([key]) => !ctx.toTables.has(newTableKey(ctx, key))).map(([, t]) => t)
  const added = [...ctx.toTables].filter(([key]) => oldTableKey(ctx, key) === undefined).map(([, t]) => t)
  for (const d of dropped) {
    for (const a of added) {
      if (a.schema === d.schema && tablesCompatible(d, a)) candidates.push({kind: 'table', schema: d.schema, from: d.name, to: a.name})
    }
  }
  for (const [oldKey, old] of ctx.fromTables) {
    const table = ctx.toTables.get(newTableKey(ctx, oldKey))
    if (!table) continue
    const mapped = new Set(old.columns.map((c) => newColumnName(ctx, oldKey, c.name)))
    const goneColumns = old.columns.filter((c) => !table.columns.some((n) => n.name === newColumnName(ctx, oldKey, c.name)))
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

/** How to accept a candidate on the command line. */
export function renameFlag(c: RenameCandidate): string {
  const prefix = c.schema === 'public' ? '' : `${c.schema}.`
  return c.kind === 'table' ? `--rename ${prefix}${c.from}=${c.to}` : `--rename ${prefix}${c.table}.${c.from}=${c.to}`
}

export function describeCandidate(c: RenameCandidate): string {
  return c.kind === 'table'
    ? `table ${c.schema}.${c.from} disappears and ${c.schema}.${c.to} appears`
    : `column ${c.schema}.${c.table}.${c.from} disappears and ${c.to} appears`
}

export function candidateToRename(c: RenameCandidate): Rename {
  return c.kind === 'table' ? {kind: 'table', schema: c.schema, from: c.from, to: c.to} : {...c, kind: 'column'}
}

/**
 * Parse --rename values against the old and new models:
 *   old_table=new_table, schema.old_table=new_table            (a table)
 *   table.old_col=new_col, schema.table.old_col=new_col        (a column)
 *   enum.old_value=new_value, schema.enum.old_value=new_value  (an enum value)
 * "a.b=c" is a table rename when schema a has a table b, otherwise a column (or enum value) of public.a.
 */
export function parseRename(spec: string, from: SchemaModel): Rename | string {
  const eq = spec.indexOf('=')
  if (eq <= 0 || eq === spec.length - 1) return `"${spec}" is not of the form old=new`
  const left = spec.slice(0, eq).split('.')
  const to = spec.slice(eq + 1)
  const hasTable = (schema: string, name: string): boolean => from.tables.some((t) => t.schema === schema && t.name === name)
  const hasEnum = (schema: string, name: string): boolean => from.enums.some((e) => e.schema === schema && e.name === name)
  const member = (schema: string, parent: string, name: string): Rename | string => {
    if (hasTable(schema, parent)) return {kind: 'column', schema, table: parent, from: name, to}
    if (hasEnum(schema, parent)) return {kind: 'enumValue', schema, enum: parent, from: name, to}
    return `"${spec}": no table or enum ${schema}.${parent} in the previous schema`
  }
  if (left.length === 1) return hasTable('public', left[0]) ? {kind: 'table', schema: 'public', from: left[0], to} : `"${spec}": no table public.${left[0]} in the previous schema`
  if (left.length === 2) {
    if (hasTable(left[0], left[1])) return {kind: 'table', schema: left[0], from: left[1], to}
    return member('public', left[0], left[1])
  }
  if (left.length === 3) return member(left[0], left[1], left[2])
  return `"${spec}" has too many dots`
}

