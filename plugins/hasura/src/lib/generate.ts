/**
 * Schema model + annotations → the table entries of Hasura metadata (config v3 shape): every table
 * tracked, relationships from foreign keys and annotations, permissions and computed fields.
 *
 * Relationship names (README "Relationship names"): annotated relationships keep their names and
 * replace the foreign-key relationship with the same join. Then, table by table in schema/name order:
 * - object relationship on the referencing table: the column without `_id` (author_id → author) for a
 *   one-column key ending in `_id`, else the referenced table's name;
 * - array relationship on the referenced table (object, for a one-to-one ref): the referencing table's name;
 * on a clash with a column or an earlier name, `<table>_by_<columns>` (comments_by_author_id), then a
 * number suffix (_2, _3 …). All object relationships are named before any array relationship.
 */
import type {SchemaModelView, SchemaTableView} from '@nself/sdk/hooks'
import {
  type Annotations,
  type PermissionAnnotation,
  type RelationshipAnnotation,
  type TableRef,
  OPERATIONS,
  tableKey,
} from './annotations.js'
import {type TableEntry, orderTableKeys} from './metadata.js'

type Relationship = {name: string; using: Record<string, unknown>}

interface Fields {
  table: SchemaTableView
  objects: Relationship[]
  arrays: Relationship[]
  /** Names in use: columns, relationships, computed fields. */
  taken: Set<string>
}

export function generateTables(model: SchemaModelView, annotations: Annotations): TableEntry[] {
  const fields = new Map<string, Fields>()
  for (const table of model.tables) {
    const entry = annotations.tables.get(tableKey(table))
    const taken = new Set([
      ...table.columns.map((c) => c.name),
      ...(entry?.relationships ?? []).map((r) => r.name),
      ...(entry?.computed ?? []).map((c) => c.name),
    ])
    fields.set(tableKey(table), {table, objects: [], arrays: [], taken})
  }
  const covered = annotatedRelationships(model, annotations, fields)
  const refs = model.tables.flatMap((table) => table.foreignKeys.map((fk) => ({table, fk})))
  for (const {table, fk} of refs) {
    const parent = fields.get(`${fk.refSchema}.${fk.refTable}`)
    if (!parent || covered.has(joinKey(table, fk.columns, 'object'))) continue
    const child = fields.get(tableKey(table))!
    const base = fk.columns.length === 1 && /^.+_id$/.test(fk.columns[0]) ? fk.columns[0].slice(0, -3) : fk.refTable
    const name = pick(child.taken, [base, fk.refTable, `${fk.refTable}_by_${fk.columns.join('_')}`])
    child.objects.push({name, using: {foreign_key_constraint_on: fk.columns.length === 1 ? fk.columns[0] : fk.columns}})
  }
  for (const {table, fk} of refs) {
    const parent = fields.get(`${fk.refSchema}.${fk.refTable}`)
    if (!parent || covered.has(joinKey(table, fk.columns, 'array'))) continue
    const name = pick(parent.taken, [table.name, `${table.name}_by_${fk.columns.join('_')}`])
    const using = {foreign_key_constraint_on: {columns: fk.columns, table: ref(table)}}
    ;(fk.relation === 'one-to-one' ? parent.objects : parent.arrays).push({name, using})
  }
  return model.tables.map((table) => tableEntry(fields.get(tableKey(table))!, annotations))
}

/** Joins are identified by the referencing table and its columns, per side. */
const joinKey = (referencing: TableRef, columns: string[], side: 'object' | 'array'): string =>
  `${side}:${tableKey(referencing)}:${columns.join(',')}`

function annotatedRelationships(
  model: SchemaModelView,
  annotations: Annotations,
  fields: Map<string, Fields>,
): Set<string> {
  const covered = new Set<string>()
  for (const table of model.tables) {
    const own = fields.get(tableKey(table))!
    for (const r of annotations.tables.get(tableKey(table))?.relationships ?? []) {
      const target = fields.get(tableKey(r.target))?.table
      if (!target) continue
      const [referencing, referenced] = r.kind === 'array' ? [target, table] : [table, target]
      const fk = referencing.foreignKeys.find(
        (f) =>
          f.refSchema === referenced.schema &&
          f.refTable === referenced.name &&
          same(f.columns, r.from) &&
          same(f.refColumns, r.to),
      )
      ;(r.kind === 'array' ? own.arrays : own.objects).push({
        name: r.name,
        using: relationshipUsing(r, fk !== undefined),
      })
      if (fk) covered.add(joinKey(referencing, fk.columns, r.kind))
    }
  }
  return covered
}

function relationshipUsing(r: RelationshipAnnotation, byForeignKey: boolean): Record<string, unknown> {
  if (r.kind === 'array') {
    if (byForeignKey) return {foreign_key_constraint_on: {columns: r.from, table: ref(r.target)}}
    return {
      manual_configuration: {
        column_mapping: Object.fromEntries(r.to.map((c, i) => [c, r.from[i]])),
        remote_table: ref(r.target),
      },
    }
  }
  if (byForeignKey) return {foreign_key_constraint_on: r.from.length === 1 ? r.from[0] : r.from}
  return {
    manual_configuration: {
      column_mapping: Object.fromEntries(r.from.map((c, i) => [c, r.to[i]])),
      remote_table: ref(r.target),
    },
  }
}

const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])
const ref = (t: TableRef): {name: string; schema: string} => ({name: t.name, schema: t.schema})

/** First free candidate (made a GraphQL name), else the first with a number suffix; reserves it. */
function pick(taken: Set<string>, candidates: string[]): string {
  const names = candidates.map((c) => c.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_'))
  let name = names.find((n) => !taken.has(n))
  for (let k = 2; name === undefined; k++) if (!taken.has(`${names[0]}_${k}`)) name = `${names[0]}_${k}`
  taken.add(name)
  return name
}

function tableEntry(f: Fields, annotations: Annotations): TableEntry {
  const entry: TableEntry = {table: ref(f.table)}
  const byName = (a: {name: string}, b: {name: string}) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  if (f.objects.length) entry.object_relationships = f.objects.sort(byName)
  if (f.arrays.length) entry.array_relationships = f.arrays.sort(byName)
  const own = annotations.tables.get(tableKey(f.table))
  if (own?.computed.length) {
    entry.computed_fields = own.computed.map((c) => ({name: c.name, definition: {function: ref(c.fn)}})).sort(byName)
  }
  for (const operation of OPERATIONS) {
    const list = (own?.permissions ?? []).filter((p) => p.operation === operation)
    if (list.length) {
      entry[`${operation}_permissions`] = list
        .map((p) => ({role: p.role, permission: permission(p, f.table)}))
        .sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0))
    }
  }
  return orderTableKeys(entry)
}

function permission(p: PermissionAnnotation, table: SchemaTableView): Record<string, unknown> {
  const columns = p.columns ?? table.columns.map((c) => c.name)
  switch (p.operation) {
    case 'select':
      return {
        columns,
        filter: p.filter ?? {},
        ...(p.limit !== undefined ? {limit: p.limit} : {}),
        ...(p.allowAggregations ? {allow_aggregations: true} : {}),
      }
    case 'insert':
      return {check: p.check ?? {}, columns, ...(p.set ? {set: p.set} : {})}
    case 'update':
      return {columns, filter: p.filter ?? {}, ...(p.check ? {check: p.check} : {}), ...(p.set ? {set: p.set} : {})}
    case 'delete':
      return {filter: p.filter ?? {}}
  }
}
