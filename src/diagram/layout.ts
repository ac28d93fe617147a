/**
 * Where everything goes: box sizes from the text (one monospace font, so widths need no measuring),
 * positions from ELK's layered algorithm, and edges drawn column to column.
 *
 * Each table group is laid out on its own and becomes one box of the top-level layout, so a group's
 * tables stay together inside its frame; ungrouped tables and enums are two more such boxes. ELK
 * places boxes only: edges are drawn afterwards from the referencing column's row to the referenced
 * column's row, which ELK (routing between box sides) cannot do, and which costs nothing.
 *
 * ELK runs here, at generate time, in Node: the page gets fixed coordinates and no layout code.
 */
import type {ElkNode, LayoutOptions} from 'elkjs/lib/elk-api.js'
import type {DiagramEdge, DiagramGraph} from './graph.js'

export const METRICS = {
  fontSize: 12,
  /** Advance of a monospace glyph at fontSize (DejaVu Sans Mono, Liberation Mono, Menlo: 0.6 em). */
  charWidth: 7.25,
  headerHeight: 30,
  noteHeight: 20,
  rowHeight: 21,
  padX: 10,
  /** Room for the PK / FK / UQ badge left of a column name. */
  badgeWidth: 36,
  minWidth: 170,
  maxNameChars: 36,
  maxTypeChars: 26,
  maxNoteChars: 48,
  groupPadTop: 40,
  groupPad: 22,
  /** Straight stretch at each end of an edge, where its cardinality marks sit. */
  stub: 18,
}

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

export interface EdgeGeometry {
  id: string
  /** Start (at the referencing column) and end (at the referenced column); d is ±1, pointing away from the box. */
  x1: number
  y1: number
  d1: number
  x2: number
  y2: number
  d2: number
  path: string
}

export interface DiagramLayout {
  width: number
  height: number
  tables: Map<string, Box>
  enums: Map<string, Box>
  groups: Map<string, Box>
  edges: EdgeGeometry[]
}

type ElkInstance = {layout(graph: ElkNode): Promise<ElkNode>}
let elkInstance: Promise<ElkInstance> | undefined

/** ELK's bundled build (no worker thread), loaded once on first use: it is large. */
function elk(): Promise<ElkInstance> {
  elkInstance ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const Elk = (m.default ?? m) as unknown as new () => ElkInstance
    return new Elk()
  })
  return elkInstance
}

export const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** The type as shown: `?` marks a nullable column. */
export const shownType = (type: string, notNull: boolean): string =>
  clip(type, METRICS.maxTypeChars) + (notNull ? '' : '?')

export function tableSize(t: DiagramGraph['tables'][number]): {w: number; h: number} {
  const m = METRICS
  const header = Math.min(t.label.length, m.maxNameChars) * (m.charWidth + 0.6) + 2 * m.padX
  const note = t.note ? Math.min(t.note.length, m.maxNoteChars) * (m.charWidth - 0.6) + 2 * m.padX : 0
  const rows = t.columns.map(
    (c) =>
      m.badgeWidth +
      (Math.min(c.name.length, m.maxNameChars) + 2 + shownType(c.type, c.notNull).length + (c.note ? 2 : 0)) *
        m.charWidth +
      2 * m.padX,
  )
  const w = Math.ceil(Math.max(m.minWidth, header, note, ...rows))
  return {w, h: m.headerHeight + (t.note ? m.noteHeight : 0) + Math.max(1, t.columns.length) * m.rowHeight + 4}
}

export function enumSize(e: DiagramGraph['enums'][number]): {w: number; h: number} {
  const m = METRICS
  const longest = Math.max(e.label.length + 6, ...e.values.map((v) => Math.min(v.length, m.maxNameChars)))
  return {
    w: Math.ceil(Math.max(140, longest * m.charWidth + 2 * m.padX + 10)),
    h: m.headerHeight + Math.max(1, e.values.length) * m.rowHeight + 4,
  }
}

const layered = (nodes: number): LayoutOptions => ({
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '30',
  'elk.layered.spacing.nodeNodeBetweenLayers': '90',
  'elk.spacing.componentComponent': '50',
  'elk.edgeRouting': 'POLYLINE',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
  'elk.aspectRatio': '1.6',
  // Big graphs: the cheapest settings that still give a clean layering (measured by bench/diagram.mjs).
  // (200 tables: ~4× faster than the defaults cold, and a squarer drawing).
  ...(nodes > 60
    ? {
        'elk.layered.thoroughness': '1',
        'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
        'elk.layered.nodePlacement.strategy': 'SIMPLE',
      }
    : {}),
})

interface Cluster {
  id: string
  group?: string
  nodes: ElkNode[]
  edges: Array<{from: string; to: string}>
  packed: boolean
}

export async function layoutGraph(graph: DiagramGraph): Promise<DiagramLayout> {
  const engine = await elk()
  const clusterOf = new Map<string, string>()
  const clusters: Cluster[] = []
  const add = (c: Cluster): void => {
    if (c.nodes.length > 0) clusters.push(c)
  }
  for (const g of graph.groups) {
    const members = graph.tables.filter((t) => t.group === g.name)
    for (const t of members) clusterOf.set(t.id, `g:${g.name}`)
    add({
      id: `g:${g.name}`,
      group: g.name,
      nodes: members.map((t) => ({id: t.id, ...size(tableSize(t))})),
      edges: [],
      packed: false,
    })
  }
  const loose = graph.tables.filter((t) => !clusterOf.has(t.id))
  for (const t of loose) clusterOf.set(t.id, 'tables')
  add({id: 'tables', nodes: loose.map((t) => ({id: t.id, ...size(tableSize(t))})), edges: [], packed: false})
  add({
    id: 'enums',
    nodes: graph.enums.map((e) => ({id: `enum:${e.id}`, ...size(enumSize(e))})),
    edges: [],
    packed: true,
  })

  const between = new Map<string, {from: string; to: string}>()
  for (const e of graph.edges) {
    const a = clusterOf.get(e.to)
    const b = clusterOf.get(e.from)
    if (!a || !b || e.from === e.to) continue
    if (a === b) clusters.find((c) => c.id === a)!.edges.push({from: e.to, to: e.from})
    else between.set(`${a}\0${b}`, {from: a, to: b})
  }

  const inner = await Promise.all(clusters.map((c) => layoutCluster(engine, c)))
  const top = await engine.layout({
    id: 'root',
    layoutOptions: {
      ...layered(clusters.length),
      'elk.layered.spacing.nodeNodeBetweenLayers': '120',
      'elk.spacing.nodeNode': '60',
    },
    children: inner.map((n) => ({id: n.id, width: n.width, height: n.height})),
    edges: [...between.values()].map((e, i) => ({id: `c${i}`, sources: [e.from], targets: [e.to]})),
  })
  return place(graph, clusters, inner, top)
}

const size = (s: {w: number; h: number}): {width: number; height: number} => ({width: s.w, height: s.h})

async function layoutCluster(engine: ElkInstance, c: Cluster): Promise<ElkNode> {
  const pad = c.group ? METRICS.groupPad : 0
  const padTop = c.group ? METRICS.groupPadTop : 0
  const options: LayoutOptions = c.packed
    ? {'elk.algorithm': 'rectpacking', 'elk.spacing.nodeNode': '24', 'elk.aspectRatio': '2.5'}
    : layered(c.nodes.length)
  const laid = await engine.layout({
    id: c.id,
    layoutOptions: {...options, 'elk.padding': `[top=${padTop},left=${pad},bottom=${pad},right=${pad}]`},
    children: c.nodes,
    edges: c.edges.map((e, i) => ({id: `${c.id}#${i}`, sources: [e.from], targets: [e.to]})),
  })
  // rectpacking may leave the padding out of the size; never let children poke out of their frame.
  let w = laid.width ?? 0
  let h = laid.height ?? 0
  for (const n of laid.children ?? []) {
    w = Math.max(w, (n.x ?? 0) + (n.width ?? 0) + pad)
    h = Math.max(h, (n.y ?? 0) + (n.height ?? 0) + pad)
  }
  return {...laid, width: w, height: h}
}

function place(graph: DiagramGraph, clusters: Cluster[], inner: ElkNode[], top: ElkNode): DiagramLayout {
  const margin = 40
  const at = new Map((top.children ?? []).map((n) => [n.id, {x: (n.x ?? 0) + margin, y: (n.y ?? 0) + margin}]))
  const layout: DiagramLayout = {
    width: (top.width ?? 0) + 2 * margin,
    height: (top.height ?? 0) + 2 * margin,
    tables: new Map(),
    enums: new Map(),
    groups: new Map(),
    edges: [],
  }
  clusters.forEach((c, i) => {
    const origin = at.get(c.id) ?? {x: margin, y: margin}
    const laid = inner[i]
    if (c.group) layout.groups.set(c.group, {x: origin.x, y: origin.y, w: laid.width ?? 0, h: laid.height ?? 0})
    for (const n of laid.children ?? []) {
      const box = {x: origin.x + (n.x ?? 0), y: origin.y + (n.y ?? 0), w: n.width ?? 0, h: n.height ?? 0}
      if (n.id.startsWith('enum:') && c.packed) layout.enums.set(n.id.slice(5), box)
      else layout.tables.set(n.id, box)
    }
  })
  const tables = new Map(graph.tables.map((t) => [t.id, t]))
  for (const e of graph.edges) {
    const geometry = routeEdge(e, layout, tables)
    if (geometry) layout.edges.push(geometry)
  }
  return layout
}

/** Vertical middle of a column's row; the header when the column is not found. */
function rowY(box: Box, table: DiagramGraph['tables'][number] | undefined, column: string | undefined): number {
  const m = METRICS
  const index = table?.columns.findIndex((c) => c.name === column) ?? -1
  if (index < 0) return box.y + m.headerHeight / 2
  return box.y + m.headerHeight + (table?.note ? m.noteHeight : 0) + index * m.rowHeight + m.rowHeight / 2
}

/**
 * From the referencing column to the referenced one: out of the facing sides when the boxes are
 * apart horizontally, else out of both right sides in a loop (stacked boxes, self references).
 */
export function routeEdge(
  e: DiagramEdge,
  layout: DiagramLayout,
  tables: Map<string, DiagramGraph['tables'][number]>,
): EdgeGeometry | undefined {
  const a = layout.tables.get(e.from)
  const b = layout.tables.get(e.to)
  if (!a || !b) return undefined
  const y1 = rowY(a, tables.get(e.from), e.fromColumns[0])
  const y2 = rowY(b, tables.get(e.to), e.toColumns[0])
  const gap = 2 * METRICS.stub
  let x1: number, x2: number, d1: number, d2: number
  if (a.x + a.w + gap <= b.x) [x1, d1, x2, d2] = [a.x + a.w, 1, b.x, -1]
  else if (b.x + b.w + gap <= a.x) [x1, d1, x2, d2] = [a.x, -1, b.x + b.w, 1]
  else [x1, d1, x2, d2] = [a.x + a.w, 1, b.x + b.w, 1]
  const s = METRICS.stub
  const sx1 = x1 + d1 * s
  const sx2 = x2 + d2 * s
  const bend = d1 === d2 ? Math.max(40, Math.abs(sx1 - sx2) / 2 + 30) : Math.max(30, Math.abs(sx2 - sx1) / 2)
  const c1 = d1 === d2 ? Math.max(sx1, sx2) + (bend - Math.abs(sx1 - sx2) / 2) * (d1 > 0 ? 1 : -1) : sx1 + d1 * bend
  const c2 = d1 === d2 ? c1 : sx2 + d2 * bend
  const r = (n: number): string => String(Math.round(n * 10) / 10)
  const path = `M${r(x1)} ${r(y1)}H${r(sx1)}C${r(c1)} ${r(y1)} ${r(c2)} ${r(y2)} ${r(sx2)} ${r(y2)}H${r(x2)}`
  return {id: e.id, x1, y1, d1, x2, y2, d2, path}
}
