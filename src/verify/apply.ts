/**
 * Running SQL on a scratch database the way the runner runs it: consecutive transactional
 * statements share a transaction, a statement marked no-transaction runs alone.
 */
import {readFileSync} from 'node:fs'
import type {Client} from 'pg'
import type {ChangeStep as Step} from '../diff/steps.js'
import {splitSql} from '@nself/sdk/sql'

/** A statement that failed, with what the server said. */
export class StatementError<T> extends Error {
  constructor(
    readonly item: T,
    override readonly cause: {message: string; position?: string; code?: string},
  ) {
    super(cause.message)
  }
}

interface Runnable {
  sql: string
  transactional: boolean
}

/** Runs the items in order; on failure the open transaction is rolled back and StatementError names the item. */
export async function runStatements<T extends Runnable>(client: Client, items: T[]): Promise<void> {
  let open = false
  try {
    for (const item of items) {
      if (!item.transactional && open) {
        await client.query('COMMIT')
        open = false
      }
      if (item.transactional && !open) {
        await client.query('BEGIN')
        open = true
      }
      try {
        await client.query(item.sql)
      } catch (error) {
        throw new StatementError(item, error as {message: string})
      }
    }
    if (open) await client.query('COMMIT')
    open = false
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => {})
  }
}

export interface FileStatement extends Runnable {
  file: string
  line: number
}

/** The statements of a migration file, as the runner would run them. */
export function fileStatements(file: string): FileStatement[] {
  return splitSql(readFileSync(file, 'utf8')).map((s) => ({sql: s.sql, line: s.line, file, transactional: !s.markers.includes('no-transaction')}))
}

export function runSteps(client: Client, steps: Step[]): Promise<void> {
  return runStatements(client, steps)
}
