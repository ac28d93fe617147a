/**
 * The extras (what DBML cannot say) as a report and as migration SQL: statements that run before
 * the tables, and statements that run after them. Those that cannot run after a DBML-built schema
 * (a partition of a table DBML makes plain) are written commented out, with the reason, so that
 * nothing is forgotten silently.
 */
import type {Extra} from '../introspect/index.js'

/** One line per extra: "view public.film_list: view". */
export function reportLines(extras: Extra[]): string[] {
  return extras.map((e) => `${e.kind} ${e.object}: ${e.reason}${e.manual ? ' (not recreated: do it by hand)' : ''}`)
}

/** Counts by kind, for a one-line summary: "7 views, 9 functions, 15 triggers". */
export function summary(extras: Extra[]): string {
  const counts = new Map<string, number>()
  for (const e of extras) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1)
  return [...counts].map(([kind, n]) => `${n} ${n === 1 ? kind : plural(kind)}`).join(', ')
}

function plural(kind: string): string {
  if (kind.endsWith('y')) return `${kind.slice(0, -1)}ies`
  if (kind === 'row level security') return 'tables with row level security'
  return kind.endsWith('s') ? kind : `${kind}s`
}

export function extrasSql(extras: Extra[], phase: Extra['phase']): string {
  const chosen = extras.filter((e) => e.phase === phase && (e.sql.length > 0 || e.manual))
  if (chosen.length === 0) return ''
  const out: string[] = []
  // SQL functions may refer to views that come later in the file: check their bodies when called.
  if (chosen.some((e) => e.kind === 'function')) out.push('SET check_function_bodies = false;', '')
  for (const e of chosen) {
    out.push(`-- ${e.kind} ${e.object}: ${e.reason}`)
    if (e.manual) {
      out.push('-- Not run: it cannot be recreated on a schema built from schema.dbml. Statement for reference:')
      for (const s of e.sql) out.push(...`${s};`.split('\n').map((l) => `--   ${l}`))
    } else {
      for (const s of e.sql) out.push(`${s.trimEnd()};`)
    }
    out.push('')
  }
  return out.join('\n')
}

/** True when any extra has something to run (so an extras migration is worth writing). */
export function hasRunnableExtras(extras: Extra[]): boolean {
  return extras.some((e) => e.sql.length > 0 || e.manual)
}
