/** A plan (src/diff) as the statements of the up and of the down, each marked transactional or not. */
import type {Change} from './change.js'

export interface ChangeStep {
  sql: string
  transactional: boolean
  change: Change
}

export function upSteps(changes: Change[]): ChangeStep[] {
  return changes.flatMap((change) => change.up.map((sql) => ({sql, transactional: change.transactional, change})))
}

/** The down: every change's reverse, last change first. */
export function downSteps(changes: Change[]): ChangeStep[] {
  return [...changes]
    .reverse()
    .flatMap((change) => change.reverse.map((sql) => ({sql, transactional: change.reverseTransactional, change})))
}

/**
 * Groups for execution: consecutive transactional statements share one transaction; a
 * non-transactional statement runs alone, between them, in the order of the file.
 */
export function transactionGroups(steps: ChangeStep[]): Array<{transactional: boolean; statements: string[]}> {
  const groups: Array<{transactional: boolean; statements: string[]}> = []
  for (const step of steps) {
    const last = groups.at(-1)
    if (step.transactional && last?.transactional) last.statements.push(step.sql)
    else groups.push({transactional: step.transactional, statements: [step.sql]})
  }
  return groups
}
