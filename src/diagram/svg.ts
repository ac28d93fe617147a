/**
 * Graph + layout → SVG markup: the drawing itself, shared by the HTML page and `--format svg`.
 * Every piece of user text (names, types, notes, defaults) goes through escapeXml; colours come
 * from graph.ts, which keeps only hex colours.
 */
import type {DiagramColumn, DiagramEdge, DiagramEnum, DiagramGraph, DiagramTable, DiffStatus} from './graph.js'
import {type Box, type DiagramLayout, type EdgeGeometry, METRICS, clip, shownType} from './layout.js'

const XML_ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Text for element content and attribute values alike. Control characters XML forbids are dropped. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- these are the very characters to drop
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (c) => XML_ESCAPES[c])
  )
}

export const FONT_STACK = `ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace`

/** Styles of the drawing; the page adds its own around it. */
export const SVG_STYLE = `
.nd text{font-family:${FONT_STACK};font-size:${METRICS.fontSize}px;fill:#1e293b}
.nd .bg{fill:#f8fafc}
.nd .box{fill:#fff;stroke:#cbd5e1;stroke-width:1}
.nd .table,.nd .enum{filter:drop-shadow(0 1px 2px rgba(15,23,42,.12))}
.nd .tname{font-weight:700;font-size:13px}
.nd .tnote{font-style:italic;fill:#64748b;font-size:11px}
.nd .notebar{fill:#f1f5f9}
.nd .ctype{fill:#64748b}
.nd .cdefault{fill:#94a3b8}
.nd .row:nth-child(even) .rowbg{fill:#f8fafc}
.nd .rowbg{fill:transparent}
.nd .badge{font-size:9px;font-weight:700}
.nd .b-pk{fill:#b45309}.nd .b-fk{fill:#2563eb}.nd .b-uq{fill:#7c3aed}
.nd .pkname{font-weight:700}
.nd .edge path{fill:none;stroke:#64748b;stroke-width:1.4}
.nd .edge .marks{fill:#fff}
.nd .group rect{stroke-width:1.5;rx:12}
.nd .gname{font-weight:700;font-size:15px}
.nd .enum .box{stroke:#a78bfa}
.nd .enum .ehead{fill:#ede9fe}
.nd .enum .tname{fill:#5b21b6}
.nd .biglabel{display:none;font-weight:700;fill:#0f172a;text-anchor:middle;dominant-baseline:central;paint-order:stroke;stroke:#fff;stroke-width:6px}
.nd .added>.box{stroke:#16a34a;stroke-width:3}
.nd .changed>.box{stroke:#d97706;stroke-width:3}
.nd .dropped>.box{stroke:#dc2626;stroke-width:3;stroke-dasharray:6 4}
.nd .dropped{opacity:.8}
.nd .row.added .rowbg{fill:#dcfce7}.nd .row.changed .rowbg{fill:#fef3c7}
.nd .row.dropped .rowbg{fill:#fee2e2}.nd .row.dropped text{text-decoration:line-through}
.nd .edge.added path{stroke:#16a34a;stroke-width:2.2}
.nd .edge.changed path{stroke:#d97706;stroke-width:2.2}
.nd .edge.dropped path{stroke:#dc2626;stroke-width:2.2;stroke-dasharray:6 4}
`

export interface SvgOptions {
  /** A standalone file: XML declaration-free, with its own background and styles. */
  standalone: boolean
}

export function renderSvg(graph: DiagramGraph, layout: DiagramLayout, options: SvgOptions): string {
  const ids = new Map(graph.tables.map((t, i) => [t.id, `t${i}`]))
  const w = Math.ceil(layout.width)
  const h = Math.ceil(layout.height)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="nd" id="diagram" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" data-tables="${graph.tables.length}" data-edges="${layout.edges.length}">`,
  ]
  if (options.standalone) out.push(`<style>${SVG_STYLE}</style>`, `<rect class="bg" width="${w}" height="${h}"/>`)
  out.push('<g id="viewport">', '<g class="groups">')
  for (const g of graph.groups) {
    const box = layout.groups.get(g.name)
    if (!box) continue
    out.push(
      `<g class="group" data-group="${escapeXml(g.name)}">${g.note ? `<title>${escapeXml(`${g.name}: ${g.note}`)}</title>` : ''}` +
        `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="12" fill="${g.color}" fill-opacity="0.07" stroke="${g.color}"/>` +
        `<text class="gname" x="${box.x + 16}" y="${box.y + 26}" fill="${g.color}" style="fill:${g.color}">${escapeXml(g.name)}</text></g>`,
    )
  }
  out.push('</g>', '<g class="edges">')
  const byId = new Map(graph.edges.map((e) => [e.id, e]))
  layout.edges.forEach((geo, i) => out.push(edgeSvg(byId.get(geo.id)!, geo, i, ids)))
  out.push('</g>', '<g class="tables">')
  graph.tables.forEach((t) => {
    const box = layout.tables.get(t.id)
    if (box) out.push(tableSvg(t, box, ids.get(t.id)!))
  })
  graph.enums.forEach((e, i) => {
    const box = layout.enums.get(e.id)
    if (box) out.push(enumSvg(e, box, i))
  })
  out.push('</g>', '</g>', '</svg>')
  return out.join('\n')
}

const cls = (base: string, status?: DiffStatus): string => (status ? `${base} ${status}` : base)

/** Dark text on light headers, white on dark ones. */
function textOn(hex: string): string {
  const full = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, (c) => c + c) : hex
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16) / 255)
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6 ? '#0f172a' : '#ffffff'
}

function tableSvg(t: DiagramTable, box: Box, id: string): string {
  const m = METRICS
  const r = 6
  const head = `M0 ${m.headerHeight}V${r}Q0 0 ${r} 0H${box.w - r}Q${box.w} 0 ${box.w} ${r}V${m.headerHeight}Z`
  const ink = textOn(t.color)
  const parts = [
    `<g class="${cls('table', t.status)}" id="${id}" data-name="${escapeXml(t.label)}" transform="translate(${box.x} ${box.y})">`,
    `<title>${escapeXml(t.label + (t.note ? `: ${t.note}` : '') + (t.status ? ` (${t.status})` : ''))}</title>`,
    `<rect class="box" width="${box.w}" height="${box.h}" rx="${r}"/>`,
    `<path class="head" d="${head}" fill="${t.color}"/>`,
    `<text class="tname" x="${m.padX}" y="${m.headerHeight / 2 + 4.5}" style="fill:${ink}">${escapeXml(clip(t.label, m.maxNameChars))}</text>`,
  ]
  let y = m.headerHeight
  if (t.note) {
    parts.push(`<rect class="notebar" y="${y}" width="${box.w}" height="${m.noteHeight}"/>`)
    parts.push(`<text class="tnote" x="${m.padX}" y="${y + 14}">${escapeXml(clip(t.note, m.maxNoteChars))}</text>`)
    y += m.noteHeight
  }
  parts.push('<g class="cols">')
  for (const c of t.columns) {
    parts.push(columnSvg(c, y, box.w))
    y += m.rowHeight
  }
  parts.push('</g>')
  const big = Math.max(14, Math.min(44, box.w / (Math.max(4, t.label.length) * 0.62)))
  parts.push(
    `<text class="biglabel" x="${box.w / 2}" y="${box.h / 2}" style="--max:${big.toFixed(1)}px">${escapeXml(clip(t.label, m.maxNameChars))}</text>`,
    '</g>',
  )
  return parts.join('')
}

function columnSvg(c: DiagramColumn, y: number, width: number): string {
  const m = METRICS
  const base = y + m.rowHeight / 2 + 4
  const badge = c.pk ? ['PK', 'b-pk'] : c.fk ? ['FK', 'b-fk'] : c.unique ? ['UQ', 'b-uq'] : undefined
  const markers = [
    c.pk && 'primary key',
    c.fk && 'foreign key',
    c.unique && 'unique',
    c.notNull ? 'not null' : 'nullable',
    c.default && `default ${c.default}`,
  ]
  const tip = `${c.name} ${c.type} (${markers.filter(Boolean).join(', ')})${c.note ? `: ${c.note}` : ''}${c.status ? ` [${c.status}]` : ''}`
  const name = clip(c.name, m.maxNameChars) + (c.note ? ' *' : '')
  return (
    `<g class="${cls('row', c.status)}"><title>${escapeXml(tip)}</title>` +
    `<rect class="rowbg" y="${y}" width="${width}" height="${m.rowHeight}"/>` +
    (badge
      ? `<text class="badge ${badge[1]}" x="${m.padX}" y="${base - 1}">${badge[0]}${c.fk && c.pk ? ' FK' : ''}</text>`
      : '') +
    `<text class="${c.pk ? 'cname pkname' : 'cname'}" x="${m.padX + m.badgeWidth}" y="${base}">${escapeXml(name)}</text>` +
    `<text class="ctype" x="${width - m.padX}" y="${base}" text-anchor="end">${escapeXml(shownType(c.type, c.notNull))}</text></g>`
  )
}

function enumSvg(e: DiagramEnum, box: Box, index: number): string {
  const m = METRICS
  const parts = [
    `<g class="${cls('enum', e.status)}" id="n${index}" data-name="${escapeXml(e.label)}" transform="translate(${box.x} ${box.y})">`,
    `<title>${escapeXml(`enum ${e.label}${e.note ? `: ${e.note}` : ''}${e.status ? ` (${e.status})` : ''}`)}</title>`,
    `<rect class="box" width="${box.w}" height="${box.h}" rx="6"/>`,
    `<path class="ehead" d="M0 ${m.headerHeight}V6Q0 0 6 0H${box.w - 6}Q${box.w} 0 ${box.w} 6V${m.headerHeight}Z"/>`,
    `<text class="tname" x="${m.padX}" y="${m.headerHeight / 2 + 4.5}">${escapeXml(clip(`enum ${e.label}`, m.maxNameChars + 5))}</text>`,
  ]
  e.values.forEach((v, i) => {
    parts.push(
      `<text x="${m.padX}" y="${m.headerHeight + i * m.rowHeight + m.rowHeight / 2 + 4}">${escapeXml(clip(v, m.maxNameChars))}</text>`,
    )
  })
  parts.push('</g>')
  return parts.join('')
}

function edgeSvg(e: DiagramEdge, geo: EdgeGeometry, index: number, ids: Map<string, string>): string {
  const kind = e.cardinality === 'one-to-one' ? 'one to one' : 'many to one'
  const actions = [e.onDelete && `ON DELETE ${e.onDelete}`, e.onUpdate && `ON UPDATE ${e.onUpdate}`]
    .filter(Boolean)
    .join(', ')
  const tip = `${e.from}(${e.fromColumns.join(', ')}) → ${e.to}(${e.toColumns.join(', ')}): ${kind}${e.required ? '' : ', optional'}${actions ? `, ${actions}` : ''}${e.status ? ` [${e.status}]` : ''}`
  return (
    `<g class="${cls('edge', e.status)}" id="e${index}" data-from="${ids.get(e.from)}" data-to="${ids.get(e.to)}" data-card="${e.cardinality === 'one-to-one' ? '1:1' : 'N:1'}">` +
    `<title>${escapeXml(tip)}</title><path class="line" d="${geo.path}"/><path class="marks" d="${marks(e, geo)}"/></g>`
  )
}

/** Crow's foot notation: a foot (many) or a bar (one) at the referencing end; at the referenced end two bars (exactly one) or a bar and a ring (zero or one). */
function marks(e: DiagramEdge, g: EdgeGeometry): string {
  const f = (n: number): string => String(Math.round(n * 10) / 10)
  const bar = (x: number, y: number): string => `M${f(x)} ${f(y - 6)}V${f(y + 6)}`
  const ring = (x: number, y: number): string => `M${f(x - 3.5)} ${f(y)}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0`
  const near =
    e.cardinality === 'one-to-one'
      ? bar(g.x1 + g.d1 * 9, g.y1)
      : `M${f(g.x1)} ${f(g.y1 - 7)}L${f(g.x1 + g.d1 * 12)} ${f(g.y1)}L${f(g.x1)} ${f(g.y1 + 7)}`
  const far = e.required
    ? bar(g.x2 + g.d2 * 6, g.y2) + bar(g.x2 + g.d2 * 11, g.y2)
    : bar(g.x2 + g.d2 * 6, g.y2) + ring(g.x2 + g.d2 * 13.5, g.y2)
  return near + far
}
