/** `db validate --check-breaking`: what a planned change breaks for running applications or data. */
import type {Change} from './change.js'

export interface BreakingChange {
  object: string
  kind: Change['kind']
  reason: string
}

/**
 * Dropped tables or columns, narrowing type changes, NOT NULL added without a default, removed or
 * renamed enum values, renamed tables and columns, new constraints existing rows may violate.
 */
export function findBreakingChanges(changes: Change[]): BreakingChange[] {
  return changes
    .filter((c) => c.breaking !== undefined)
    .map((c) => ({object: c.object, kind: c.kind, reason: c.breaking!}))
}
