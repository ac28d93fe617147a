/**
 * Hasura metadata (the `export_metadata` JSON, config v3) and the merge of what the schema says
 * into what is there.
 *
 * What nself owns (README "What nself changes"): in the database source (default: "default"), for each
 * table of schema.dbml, the keys object_relationships, array_relationships, computed_fields and the four
 * *_permissions lists. Every other key of a table entry (configuration, remote_relationships,
 * event_triggers, is_enum, hand-added keys) and everything outside the tables list is kept as found.
 * Tables of the schemas schema.dbml uses that are not in it are untracked; tables of other schemas
 * (auth, storage …) are left alone.
 */
import {isDeepStrictEqual} from 'node:util'

export interface TableName {
  name: string
  schema: string
}

export interface TableEntry {
  table: TableName
  [key: string]: unknown
}

export interface Source {
  name: string
  kind?: string
  tables: TableEntry[]
  [key: string]: unknown
}

export interface Metadata {
  version: number
  sources: Source[]
  [key: string]: unknown
}

export const OWNED_KEYS = [
  'object_relationships',
  'array_relationships',
  'computed_fields',
  'insert_permissions',
  'select_permissions',
  'update_permissions',
  'delete_permissions',
] as const

/** Hasura's own order of a table entry's keys; keys it does not list follow, in the order found. */
const KEY_ORDER = [
  'table',
  'is_enum',
  'configuration',
  ...OWNED_KEYS.slice(0, 3),
  'remote_relationships',
  ...OWNED_KEYS.slice(3),
  'event_triggers',
]

export function orderTableKeys(entry: TableEntry): TableEntry {
  const known = KEY_ORDER.filter((k) => k in entry)
  const rest = Object.keys(entry).filter((k) => !KEY_ORDER.includes(k))
  return Object.fromEntries([...known, ...rest].map((k) => [k, entry[k]])) as TableEntry
}

export const DEFAULT_SOURCE = 'default'

export const tableId = (t: TableName): string => `${t.schema}.${t.name}`

/** A table reference as Hasura may write it: "name" (public) or {name, schema}. */
export function normalizeTableName(table: unknown): TableName {
  if (typeof table === 'string') return {name: table, schema: 'public'}
  const t = table as {name?: unknown; schema?: unknown}
  return {name: String(t?.name), schema: typeof t?.schema === 'string' ? t.schema : 'public'}
}

export interface MergeOptions {
  source?: string
  /** Schemas whose tables nself manages: tables there that the schema lacks are untracked. */
  managedSchemas: string[]
}

/**
 * `current` with the generated tables merged in; `current` is not changed. A source that does not
 * exist yet is created with `newSource` (or refused when that is undefined).
 */
export function mergeMetadata(
  current: Metadata,
  generated: TableEntry[],
  options: MergeOptions,
  newSource?: () => Source,
): Metadata {
  const sourceName = options.source ?? DEFAULT_SOURCE
  const sources = [...(current.sources ?? [])]
  let index = sources.findIndex((s) => s.name === sourceName)
  if (index === -1) {
    if (!newSource) throw new MissingSourceError(sourceName)
    sources.push(newSource())
    index = sources.length - 1
  }
  const source = sources[index]
  sources[index] = {...source, tables: mergeTables(source.tables ?? [], generated, new Set(options.managedSchemas))}
  return {...current, sources}
}

export class MissingSourceError extends Error {
  constructor(readonly source: string) {
    super(`Hasura has no database source named "${source}"`)
  }
}

function mergeTables(existing: TableEntry[], generated: TableEntry[], managed: Set<string>): TableEntry[] {
  const found = new Map(existing.map((e) => [tableId(normalizeTableName(e.table)), e]))
  const wanted = new Set(generated.map((g) => tableId(g.table)))
  const result: TableEntry[] = []
  for (const g of generated) {
    const old = found.get(tableId(g.table))
    const kept = old
      ? Object.fromEntries(Object.entries(old).filter(([k]) => !(OWNED_KEYS as readonly string[]).includes(k)))
      : {}
    result.push(orderTableKeys({...kept, ...g}))
  }
  for (const e of existing) {
    const t = normalizeTableName(e.table)
    if (!wanted.has(tableId(t)) && !managed.has(t.schema)) result.push(e)
  }
  return result.sort((a, b) => compareTables(normalizeTableName(a.table), normalizeTableName(b.table)))
}

export function compareTables(a: TableName, b: TableName): number {
  return a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** Same metadata, whatever the key order (Hasura may export keys in its own order). */
export const sameMetadata = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b)

/** Tables whose tracking the merge changes, for summaries. */
export function trackingChanges(
  before: Metadata,
  after: Metadata,
  sourceName = DEFAULT_SOURCE,
): {tracked: string[]; untracked: string[]} {
  const ids = (m: Metadata) =>
    new Set(
      (m.sources?.find((s) => s.name === sourceName)?.tables ?? []).map((t) => tableId(normalizeTableName(t.table))),
    )
  const a = ids(before)
  const b = ids(after)
  return {tracked: [...b].filter((t) => !a.has(t)), untracked: [...a].filter((t) => !b.has(t))}
}
