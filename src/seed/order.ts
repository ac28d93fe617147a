/**
 * Seed order: files with a numeric prefix first, in prefix order (the author said so); then the others
 * parents first by the live database's foreign keys; last, files not named after an existing table
 * (SQL scripts such as `extras.sql`), by name. A cycle cannot be sorted: it is broken at the file
 * that comes first by name, and the caller is told which tables and keys form the cycle.
 */
import type {ForeignKey} from './catalog.js'
import {qualifiedName, type DiscoveredFile} from './files.js'

export interface OrderResult<T> {
  files: T[]
  /** One message per cycle that had to be broken. */
  cycles: string[]
}

export function orderSeedFiles<T extends DiscoveredFile>(
  files: T[],
  foreignKeys: ForeignKey[],
  tables: Set<string>,
): OrderResult<T> {
  const byName = (a: T, b: T) => a.fileName.localeCompare(b.fileName)
  const prefixed = files.filter((f) => f.order !== undefined).sort((a, b) => a.order! - b.order! || byName(a, b))
  const rest = files.filter((f) => f.order === undefined).sort(byName)
  const sorted = topoSort(
    rest.filter((f) => tables.has(qualifiedName(f))),
    foreignKeys,
  )
  const scripts = rest.filter((f) => !tables.has(qualifiedName(f)))
  return {files: [...prefixed, ...sorted.files, ...scripts], cycles: sorted.cycles}
}

function topoSort<T extends DiscoveredFile>(files: T[], foreignKeys: ForeignKey[]): OrderResult<T> {
  const tables = new Set(files.map(qualifiedName))
  // Parents of each table among the tables being seeded; a self-reference does not constrain order.
  const parents = new Map<string, Set<string>>()
  for (const fk of foreignKeys) {
    if (fk.child === fk.parent || !tables.has(fk.child) || !tables.has(fk.parent)) continue
    if (!parents.has(fk.child)) parents.set(fk.child, new Set())
    parents.get(fk.child)!.add(fk.parent)
  }
  const done = new Set<string>()
  const out: T[] = []
  const cycles: string[] = []
  let remaining = [...files]
  while (remaining.length > 0) {
    const ready = remaining.filter((f) => [...(parents.get(qualifiedName(f)) ?? [])].every((p) => done.has(p)))
    const next = ready.length > 0 ? ready : [remaining[0]]
    if (ready.length === 0) cycles.push(cycleMessage(remaining, foreignKeys, done, next[0]))
    for (const file of next) done.add(qualifiedName(file))
    out.push(...next)
    remaining = remaining.filter((f) => !next.includes(f))
  }
  return {files: out, cycles}
}

function cycleMessage(
  remaining: DiscoveredFile[],
  foreignKeys: ForeignKey[],
  done: Set<string>,
  first: DiscoveredFile,
): string {
  const left = new Set(remaining.map(qualifiedName))
  const keys = foreignKeys
    .filter((fk) => fk.child !== fk.parent && left.has(fk.child) && left.has(fk.parent) && !done.has(fk.parent))
    .map((fk) => `${fk.child}(${fk.columns.join(', ')}) → ${fk.parent}`)
  return (
    `foreign keys form a cycle between ${[...left].join(', ')} (${keys.join('; ')}): ` +
    `seeding ${first.fileName} first. If it fails, make one of these keys DEFERRABLE, or name the files with numeric prefixes (01_${first.table}.${first.format}) to set the order`
  )
}
