/**
 * SQL seed content: one string (executed as a single multi-statement query) or statements with
 * their lines (executed one by one so that an error names the statement's line).
 */
import type {Client, QueryResult} from 'pg'
import type {SeedStatement} from '@nself/sdk/hooks'
import {isPgError, pgMessage} from '@nself/sdk/sql'
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

export async function runStatements(client: Client, statements: Iterable<SeedStatement> | AsyncIterable<SeedStatement>, display: string): Promise<number> {
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

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

/** Rows written by a query: a multi-statement query gives one result per statement. */
function rowCount(result: QueryResult | QueryResult[]): number {
  const results = Array.isArray(result) ? result : [result]
  return results.reduce((sum, r) => sum + (['INSERT', 'UPDATE', 'COPY', 'MERGE'].includes(r.command) ? (r.rowCount ?? 0) : 0), 0)
}
