/**
 * Schema model → the diagram's graph: tables with display-ready columns, enums, groups with their
 * colours, one edge per foreign key. Pure: no layout, no markup. With a `before` model, every
 * element also carries what a migration did to it (added, changed, dropped), and what the
 * migration dropped is kept in the graph so a reviewer sees it.
 */
import {
  defaultText,
  type ColumnModel,
  type ColumnType,
  type EnumModel,
  type ForeignKeyModel,
  type SchemaModel,
  type TableModel,
} from '../schema/model.js'

export type DiffStatus = 'added' | 'changed' | 'dropped'

export interface DiagramColumn {
  name: string
  type: string
  pk: boolean
  unique: boolean
  fk: boolean
  notNull: boolean
  default?: string
  note?: string
  status?: DiffStatus
}

export interface DiagramTable {
  /** "schema.name": unique, the key refs and groups use. */
  id: string
  /** As shown: the bare name in "public", "schema.name" elsewhere. */
  label: string
  note?: string
  /** Header colour: the table's own `headercolor`, else its group's. */
  color: string
  group?: string
  columns: DiagramColumn[]
  /** The junction table of a `<>` ref. */
  generated: boolean
  status?: DiffStatus
}

export interface DiagramEnum {
  id: string
  label: string
  values: string[]
  note?: string
  status?: DiffStatus
}

export interface DiagramGroup {
  name: string
  color: string
  note?: string
  /** Ids of the member tables that are in the graph. */
  tables: string[]
}

export type Cardinality = 'many-to-one' | 'one-to-one'

export interface DiagramEdge {
  id: string
  /** The table holding the foreign key, and its columns. */
  from: string
  fromColumns: string[]
  /** The referenced table and columns. */
  to: string
  toColumns: string[]
  cardinality: Cardinality
  /** Every referencing column is NOT NULL: each row must have a parent. */
  required: boolean
  onDelete?: string
  onUpdate?: string
  status?: DiffStatus
}

export interface DiagramGraph {
  tables: DiagramTable[]
  enums: DiagramEnum[]
  groups: DiagramGroup[]
  edges: DiagramEdge[]
  note?: string
  /** Set when the graph shows a migration's changes. */
  diff?: {title: string}
}

export interface GraphOptions {
  /** The DBML text: colours (`[color: …]`, `[headercolor: …]`) are not part of the model. */
  source?: string
  /** The model before a migration: statuses are computed against it. */
  before?: SchemaModel
  diffTitle?: string
}

/** Colours for groups that declare none: distinct, readable behind dark header text. */
const PALETTE = [
  '#3b82f6',
  '#10b981',
  '#f59e0b',
  '#8b5cf6',
  '#ef4444',
  '#14b8a6',
  '#ec4899',
  '#84cc16',
  '#f97316',
  '#06b6d4',
]
const DEFAULT_HEADER = '#475569'

const keyOf = (schema: string, name: string): string => `${schema}.${name}`
const labelOf = (schema: string, name: string): string => (schema === 'public' ? name : `${schema}.${name}`)

export function buildGraph(model: SchemaModel, options: GraphOptions = {}): DiagramGraph {
  const colours = readColours(options.source ?? '')
  const groups = model.tableGroups.map((g, i) => ({
    name: g.name,
    color: colours.groups.get(g.name) ?? PALETTE[i % PALETTE.length],
    ...(g.note ? {note: g.note} : {}),
    tables: [...g.tables],
  }))
  const groupOf = new Map<string, DiagramGroup>()
  for (const g of groups) for (const t of g.tables) groupOf.set(t, g)
  const tableColour = (t: TableModel): string =>
    colours.tables.get(keyOf(t.schema, t.name)) ??
    colours.tables.get(t.name) ??
    groupOf.get(keyOf(t.schema, t.name))?.color ??
    DEFAULT_HEADER
  const graph: DiagramGraph = {
    tables: model.tables.map((t) => toTable(t, tableColour(t), groupOf.get(keyOf(t.schema, t.name))?.name)),
    enums: model.enums.map(toEnum),
    groups,
    edges: model.tables.flatMap((t) => t.foreignKeys.map((fk) => toEdge(t, fk))),
    ...(model.note ? {note: model.note} : {}),
  }
  if (options.before) markDiff(graph, options.before, model, tableColour)
  if (options.diffTitle) graph.diff = {title: options.diffTitle}
  for (const g of graph.groups) g.tables = g.tables.filter((id) => graph.tables.some((t) => t.id === id))
  return graph
}

function toTable(t: TableModel, color: string, group: string | undefined): DiagramTable {
  const pk = new Set(t.primaryKey?.columns ?? [])
  const unique = new Set([
    ...t.uniques.filter((u) => u.columns.length === 1).map((u) => u.columns[0]),
    ...t.indexes
      .filter((i) => i.unique && i.parts.length === 1 && i.parts[0].kind === 'column')
      .map((i) => (i.parts[0] as {name: string}).name),
  ])
  const fk = new Set(t.foreignKeys.flatMap((f) => f.columns))
  return {
    id: keyOf(t.schema, t.name),
    label: labelOf(t.schema, t.name),
    ...(t.note ? {note: t.note} : {}),
    color,
    ...(group ? {group} : {}),
    columns: t.columns.map((c) => toColumn(c, pk.has(c.name), unique.has(c.name), fk.has(c.name))),
    generated: t.generated === 'many-to-many',
  }
}

function toColumn(c: ColumnModel, pk: boolean, unique: boolean, fk: boolean): DiagramColumn {
  const shownDefault = c.identity ? 'identity' : c.default ? defaultText(c.default) : undefined
  return {
    name: c.name,
    type: typeText(c.type),
    pk,
    unique: unique && !pk,
    fk,
    notNull: c.notNull || pk,
    ...(shownDefault === undefined ? {} : {default: shownDefault}),
    ...(c.note ? {note: c.note} : {}),
  }
}

export function typeText(t: ColumnType): string {
  const base = t.schema ? `${t.schema}.${t.name}` : t.name
  return `${base}${t.args.length ? `(${t.args.join(',')})` : ''}${'[]'.repeat(t.arrayDims)}`
}

function toEnum(e: EnumModel): DiagramEnum {
  return {
    id: keyOf(e.schema, e.name),
    label: labelOf(e.schema, e.name),
    values: [...e.values],
    ...(e.note ? {note: e.note} : {}),
  }
}

function toEdge(t: TableModel, fk: ForeignKeyModel): DiagramEdge {
  const notNull = new Set(
    t.columns.filter((c) => c.notNull || t.primaryKey?.columns.includes(c.name)).map((c) => c.name),
  )
  return {
    id: `${keyOf(t.schema, t.name)}.${fk.name}`,
    from: keyOf(t.schema, t.name),
    fromColumns: [...fk.columns],
    to: keyOf(fk.refSchema, fk.refTable),
    toColumns: [...fk.refColumns],
    cardinality: fk.relation === 'one-to-one' ? 'one-to-one' : 'many-to-one',
    required: fk.columns.every((c) => notNull.has(c)),
    ...(fk.onDelete ? {onDelete: fk.onDelete} : {}),
    ...(fk.onUpdate ? {onUpdate: fk.onUpdate} : {}),
  }
}

/** Colours declared in the DBML text; only hex colours are kept (they end up in style attributes). */
export function readColours(source: string): {groups: Map<string, string>; tables: Map<string, string>} {
  const groups = new Map<string, string>()
  const tables = new Map<string, string>()
  const name = String.raw`((?:"[^"\n]*"|[\w$]+)(?:\.(?:"[^"\n]*"|[\w$]+))?)`
  const pattern = new RegExp(
    String.raw`^[ \t]*(TableGroup|Table)[ \t]+${name}(?:[ \t]+as[ \t]+[\w$"]+)?[ \t]*\[([^\]\n]*)\]`,
    'gim',
  )
  for (const m of source.matchAll(pattern)) {
    const isGroup = m[1].toLowerCase() === 'tablegroup'
    const setting = new RegExp(
      String.raw`\b${isGroup ? 'color' : 'headercolor'}\s*:\s*(#[0-9a-f]{3}(?:[0-9a-f]{3})?)\b`,
      'i',
    ).exec(m[3])
    if (!setting) continue
    const key = m[2].replace(/"/g, '')
    if (isGroup) groups.set(key, setting[1])
    else tables.set(key, setting[1])
  }
  return {groups, tables}
}

/** Marks what changed from `before` to `after`, and adds back what was dropped. */
function markDiff(
  graph: DiagramGraph,
  before: SchemaModel,
  after: SchemaModel,
  colour: (t: TableModel) => string,
): void {
  const oldTables = new Map(before.tables.map((t) => [keyOf(t.schema, t.name), t]))
  const newTables = new Map(after.tables.map((t) => [keyOf(t.schema, t.name), t]))
  for (const table of graph.tables) {
    const old = oldTables.get(table.id)
    if (!old) {
      table.status = 'added'
      continue
    }
    const oldTable = toTable(old, table.color, table.group)
    const oldColumns = new Map(oldTable.columns.map((c) => [c.name, c]))
    for (const c of table.columns) {
      const prev = oldColumns.get(c.name)
      if (!prev) c.status = 'added'
      else if (JSON.stringify(prev) !== JSON.stringify(c)) c.status = 'changed'
    }
    const kept = new Set(table.columns.map((c) => c.name))
    for (const c of oldTable.columns) if (!kept.has(c.name)) table.columns.push({...c, status: 'dropped'})
    const cur = newTables.get(table.id)!
    const sameRest = JSON.stringify(strip(old)) === JSON.stringify(strip(cur))
    if (!sameRest || table.columns.some((c) => c.status)) table.status = 'changed'
  }
  for (const [id, old] of oldTables) {
    if (newTables.has(id)) continue
    const dropped = toTable(old, colour(old), undefined)
    dropped.status = 'dropped'
    for (const c of dropped.columns) c.status = 'dropped'
    graph.tables.push(dropped)
  }
  const oldEdges = new Map(before.tables.flatMap((t) => t.foreignKeys.map((fk) => toEdge(t, fk))).map((e) => [e.id, e]))
  const newEdgeIds = new Set(graph.edges.map((e) => e.id))
  for (const e of graph.edges) {
    const prev = oldEdges.get(e.id)
    if (!prev) e.status = 'added'
    else if (JSON.stringify(prev) !== JSON.stringify(e)) e.status = 'changed'
  }
  for (const [id, e] of oldEdges) if (!newEdgeIds.has(id)) graph.edges.push({...e, status: 'dropped'})
  const oldEnums = new Map(before.enums.map((e) => [keyOf(e.schema, e.name), toEnum(e)]))
  for (const e of graph.enums) {
    const prev = oldEnums.get(e.id)
    if (!prev) e.status = 'added'
    else if (JSON.stringify(prev) !== JSON.stringify(e)) e.status = 'changed'
  }
  const newEnums = new Set(graph.enums.map((e) => e.id))
  for (const [id, e] of oldEnums) if (!newEnums.has(id)) graph.enums.push({...e, status: 'dropped'})
}

/** A table without what the diff compares elsewhere (columns) or ignores (source locations). */
function strip(t: TableModel): unknown {
  return JSON.parse(
    JSON.stringify({...t, columns: undefined}, (k, v: unknown) => (k === 'loc' ? undefined : v)),
  ) as unknown
}
