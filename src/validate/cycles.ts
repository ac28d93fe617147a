/**
 * Circular references. A cycle of foreign keys is legal in PostgreSQL, and so are self-references;
 * but when every foreign key in the cycle is NOT NULL, no table in it can get its first row
 * (nself's constraints are not deferrable), which is an error. The rest are notes for --verbose.
 */
import type {ForeignKeyModel, TableModel} from '../schema/model.js'
import {type Check, type CheckContext, type Diagnostic, SOLUTIONS, qualified} from './diagnostic.js'

interface Edge {
  from: string
  to: string
  fk: ForeignKeyModel
  table: TableModel
}

export const cyclesCheck: Check = {
  name: 'cycles',
  run(ctx) {
    const all = edges(ctx, false)
    const required = edges(ctx, true)
    const diagnostics: Diagnostic[] = []
    const blocking = new Set<string>()
    for (const component of components(required)) {
      const path = cyclePath(component, required)
      for (const t of component) blocking.add(t)
      const first = path.edges[0]
      const message = `Circular reference detected: ${path.text}; every foreign key in it is NOT NULL, so no row can be inserted first`
      diagnostics.push(
        ctx.at(
          first.fk.loc ?? first.table.loc,
          'error',
          'circular-reference',
          message,
          `${SOLUTIONS.circular} (make one of these columns nullable)`,
        ),
      )
    }
    const notes: string[] = []
    for (const component of components(all)) {
      if (component.some((t) => blocking.has(t))) continue
      notes.push(`cycle ${cyclePath(component, all).text} is fine: a nullable foreign key lets rows go in first`)
    }
    for (const e of all)
      if (e.from === e.to)
        notes.push(`self-reference ${e.from}.${e.fk.columns.join(',')} → ${e.to}.${e.fk.refColumns.join(',')} is fine`)
    return {
      diagnostics,
      notes,
      looked: `${all.length} foreign keys between tables for cycles (${required.length} NOT NULL)`,
    }
  },
}

function edges(ctx: CheckContext, onlyRequired: boolean): Edge[] {
  const out: Edge[] = []
  for (const table of ctx.parsed.model.tables) {
    for (const fk of table.foreignKeys) {
      if (!ctx.tables.has(`${fk.refSchema}.${fk.refTable}`)) continue
      const required = fk.columns.every((c) => table.columns.find((col) => col.name === c)?.notNull)
      if (onlyRequired && !required) continue
      out.push({from: qualified(table.schema, table.name), to: qualified(fk.refSchema, fk.refTable), fk, table})
    }
  }
  return out
}

/** Strongly connected components with more than one table (Tarjan, iterative: no stack overflow). */
function components(list: Edge[]): string[][] {
  const adj = new Map<string, string[]>()
  for (const e of list) {
    if (e.from === e.to) continue
    if (!adj.has(e.from)) adj.set(e.from, [])
    adj.get(e.from)!.push(e.to)
  }
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const result: string[][] = []
  let counter = 0
  for (const start of [...adj.keys()].sort()) {
    if (index.has(start)) continue
    const work: Array<[string, number]> = [[start, 0]]
    while (work.length > 0) {
      const frame = work[work.length - 1]
      const [node, i] = frame
      if (i === 0 && !index.has(node)) {
        index.set(node, counter)
        low.set(node, counter++)
        stack.push(node)
        onStack.add(node)
      }
      const next = adj.get(node) ?? []
      if (i < next.length) {
        frame[1]++
        const to = next[i]
        if (!index.has(to)) work.push([to, 0])
        else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!))
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1][0]
        low.set(parent, Math.min(low.get(parent)!, low.get(node)!))
      }
      if (low.get(node) === index.get(node)) {
        const component: string[] = []
        let t: string
        do {
          t = stack.pop()!
          onStack.delete(t)
          component.push(t)
        } while (t !== node)
        if (component.length > 1) result.push(component.sort())
      }
    }
  }
  return result
}

/**
 * One cycle through a component, from its first table by name: "a.b_id → b → a". A depth-first walk
 * with its own stack (a cycle may run through thousands of tables), following edges in schema order.
 */
function cyclePath(component: string[], list: Edge[]): {text: string; edges: Edge[]} {
  const inside = new Set(component)
  const start = component[0]
  const out = new Map<string, Edge[]>()
  for (const e of list) {
    if (e.from === e.to || !inside.has(e.from) || !inside.has(e.to)) continue
    if (!out.has(e.from)) out.set(e.from, [])
    out.get(e.from)!.push(e)
  }
  const path: Edge[] = []
  const visited = new Set<string>([start])
  const frames: Array<{node: string; next: number}> = [{node: start, next: 0}]
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]
    const edges = out.get(frame.node) ?? []
    if (frame.next >= edges.length) {
      frames.pop()
      path.pop()
      continue
    }
    const e = edges[frame.next++]
    if (e.to === start) {
      path.push(e)
      break
    }
    if (visited.has(e.to)) continue
    visited.add(e.to)
    path.push(e)
    frames.push({node: e.to, next: 0})
  }
  return {
    text: pathText([start, ...path.map((e) => e.to)]),
    edges: path.length > 0 ? path : list.filter((e) => e.from === start),
  }
}

/** "a → b → c → a", with the middle left out of a long cycle so the message stays one readable line. */
function pathText(names: string[]): string {
  if (names.length <= 12) return names.join(' → ')
  const hidden = (names.length - 10).toLocaleString('en-US')
  return [...names.slice(0, 5), `… ${hidden} more …`, ...names.slice(-5)].join(' → ')
}
