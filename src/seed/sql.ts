/**
 * SQL seed content: one string (executed as a single multi-statement query) or statements with
 * their lines (executed one by one so that an error names the statement's line).
 */
import type {Client, QueryResult} from 'pg'
import type {SeedStatement} from '@nself/sdk/hooks'
import {isPgError, isTransactionControl, nonTransactionalKind, pgMessage, splitSql} from '@nself/sdk/sql'
import {loaderError, seedFileError} from './errors.js'

export async function runSql(client: Client, sql: string, display: string): Promise<number> {
  try {
    return rowCount(await client.query(sql))
  } catch (error) {
    if (!isPgError(error)) throw loaderError(display, error)
    const line = error.position ? lineAt(sql, Number(error.position) - 1) : undefined
    throw seedFileError(display, pgMessage(error), {line}, error)
  }
}

export async function runStatements(
  client: Client,
  statements: Iterable<SeedStatement> | AsyncIterable<SeedStatement>,
  display: string,
): Promise<number> {
  let rows = 0
  let current: SeedStatement | undefined
  try {
    for await (const statement of statements) {
      current = statement
      rows += rowCount(await client.query(statement.sql))
    }
  } catch (error) {
    if (!isPgError(error) || !current) throw loaderError(display, error)
    // The position (when PostgreSQL gives one) points inside the statement: report that exact line.
    const offset = error.position ? lineAt(current.sql, Number(error.position) - 1) - 1 : 0
    throw seedFileError(display, pgMessage(error), {line: current.line + offset}, error)
  }
  return rows
}

/**
 * The seed run is one transaction: a COMMIT in a file would keep what came before it whatever
 * fails after, and a statement PostgreSQL refuses in a transaction would fail the run half way.
 * Both are refused with their line before any statement of the run executes.
 */
export function refuseOutsideTransaction(display: string, statements: SeedStatement[]): void {
  for (const statement of statements) {
    const words = statement.sql.split(/\s+/, 3).join(' ').toUpperCase()
    if (isTransactionControl(statement.sql)) {
      throw seedFileError(
        display,
        `${words} ends the seed run's transaction: the run is one transaction, all or nothing, so seed files cannot end, open or prepare one. Remove the statement (use SAVEPOINT … / ROLLBACK TO SAVEPOINT … inside a file)`,
        {line: statement.line},
      )
    }
    const kind = nonTransactionalKind(statement.sql)
    if (kind) {
      throw seedFileError(
        display,
        `${words}… (${kind}) cannot run inside a transaction, and the seed run is one transaction. Move it to a migration, where nself runs it on its own`,
        {line: statement.line},
      )
    }
  }
}

/** A plugin's one-string SQL as statements with their lines, for refuseOutsideTransaction. */
export function sqlStatements(display: string, sql: string): SeedStatement[] {
  try {
    return splitSql(sql)
  } catch (error) {
    throw loaderError(display, error) // a psql meta-command, with its line
  }
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

/** Rows written by a query: a multi-statement query gives one result per statement. */
function rowCount(result: QueryResult | QueryResult[]): number {
  const results = Array.isArray(result) ? result : [result]
  return results.reduce(
    (sum, r) => sum + (['INSERT', 'UPDATE', 'COPY', 'MERGE'].includes(r.command) ? (r.rowCount ?? 0) : 0),
    0,
  )
}
