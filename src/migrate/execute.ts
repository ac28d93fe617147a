/**
 * Runs one planned step on the connection.
 *
 * A transaction step goes to the server as ONE simple-query message: BEGIN, its statements, the
 * history upsert, COMMIT. One round trip per migration instead of one per statement is what keeps
 * 200 small migrations near psql's own speed. When a statement fails the server skips the rest of
 * the message, so nothing of the step is committed; we ROLLBACK the aborted transaction and name the
 * failing statement from the error position, or else from how many statements completed.
 */
import type {Client} from 'pg'
import type {PlannedStatement} from './plan.js'

export interface StatementFailure {
  statement: PlannedStatement
  /** Line in the file: the statement's line plus the line of the error position inside it. */
  line: number
  error: PgError
}

export interface PgError extends Error {
  code?: string
  hint?: string
  detail?: string
  position?: string
}

export class BatchError extends Error {
  constructor(readonly failure: StatementFailure) {
    super(failure.error.message)
  }
}

/** Runs the statements and the trailing SQL (the history record) in one transaction, in one round trip. */
export async function runTransaction(client: Client, statements: PlannedStatement[], trailing: string[]): Promise<void> {
  const prefix = 'BEGIN;\n'
  const parts: {offset: number; statement: PlannedStatement}[] = []
  let text = prefix
  for (const statement of statements) {
    parts.push({offset: text.length, statement})
    text += `${statement.sql};\n`
  }
  text += trailing.map((t) => `${t};\n`).join('') + 'COMMIT'
  let completed = 0
  const count = () => completed++
  const connection = (client as unknown as {connection: NodeJS.EventEmitter}).connection
  connection.on('commandComplete', count)
  try {
    await client.query(text)
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw new BatchError(locate(error as PgError, parts, completed - 1))
  } finally {
    connection.off('commandComplete', count)
  }
}

/** Runs one statement on its own, in autocommit. */
export async function runSingle(client: Client, statement: PlannedStatement): Promise<void> {
  try {
    await client.query(statement.sql)
  } catch (error) {
    throw new BatchError({statement, line: lineOf(statement, error as PgError, 0), error: error as PgError})
  }
}

function locate(error: PgError, parts: {offset: number; statement: PlannedStatement}[], completedStatements: number): StatementFailure {
  const position = error.position ? Number(error.position) - 1 : undefined
  let part = parts[Math.min(Math.max(completedStatements, 0), parts.length - 1)]
  if (position !== undefined) {
    const hit = [...parts].reverse().find((p) => p.offset <= position)
    if (hit) part = hit
  }
  // Failed in the trailing history SQL, not in the migration's own statements: blame the last one.
  part ??= parts[parts.length - 1]
  return {statement: part.statement, line: lineOf(part.statement, error, position === undefined ? undefined : position - part.offset), error}
}

function lineOf(statement: PlannedStatement, error: PgError, offsetInStatement: number | undefined): number {
  const offset = offsetInStatement ?? (error.position ? Number(error.position) - 1 : undefined)
  if (offset === undefined || offset < 0 || offset > statement.sql.length) return statement.line
  return statement.line + (statement.sql.slice(0, offset).match(/\n/g)?.length ?? 0)
}
