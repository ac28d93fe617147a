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

/**
 * Runs the items in order; on failure the open transaction is rolled back and StatementError names the item.
 * Each run of consecutive transactional items goes to the server as one multi-statement query (one
 * round trip instead of one per statement); when it fails, it is rolled back and run again one
 * statement at a time, which finds the failing item and its error exactly as a statement-by-statement
 * run would have.
 */
export async function runStatements<T extends Runnable>(client: Client, items: T[]): Promise<void> {
  for (let i = 0; i < items.length;) {
    if (!items[i].transactional) {
      await runOne(client, items[i])
      i++
      continue
    }
    let end = i
    while (end < items.length && items[end].transactional) end++
    await runTransaction(client, items.slice(i, end))
    i = end
  }
}

async function runOne<T extends Runnable>(client: Client, item: T): Promise<void> {
  try {
    await client.query(item.sql)
  } catch (error) {
    throw new StatementError(item, error as {message: string})
  }
}

async function runTransaction<T extends Runnable>(client: Client, items: T[]): Promise<void> {
  await client.query('BEGIN')
  try {
    // A newline before each separator: a statement may end in a -- comment.
    await client.query(items.length === 1 ? items[0].sql : items.map((item) => item.sql).join('\n;\n'))
    await client.query('COMMIT')
    return
  } catch {
    await client.query('ROLLBACK').catch(() => {})
  }
  // The batch failed: once more, one statement at a time, to name the one that fails.
  await client.query('BEGIN')
  try {
    for (const item of items) await runOne(client, item)
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
}

export interface FileStatement extends Runnable {
  file: string
  line: number
}

/** The statements of a migration file, as the runner would run them. */
export function fileStatements(file: string): FileStatement[] {
  return splitSql(readFileSync(file, 'utf8')).map((s) => ({
    sql: s.sql,
    line: s.line,
    file,
    transactional: !s.markers.includes('no-transaction'),
  }))
}

export function runSteps(client: Client, steps: Step[]): Promise<void> {
  return runStatements(client, steps)
}
