/**
 * Runs planned steps on the connection.
 *
 * Transaction steps go to the server as simple-query messages: BEGIN, the statements, the history
 * upsert, COMMIT, for one migration or for a series of them. Round trips per message instead of
 * per statement are what keep 200 small migrations near psql's own speed. When a statement fails
 * the server skips the rest of the message, so nothing of that transaction is committed; we
 * ROLLBACK the aborted transaction and name the failing statement from the error position, or
 * else from how many commands had completed.
 */
import type {Client} from 'pg'
import type {PgError} from '@nself/sdk/sql'
import type {PlannedStatement} from './plan.js'
import {listenToProtocol} from './protocol.js'

export interface StatementFailure {
  statement: PlannedStatement
  /** Line in the file: the statement's line plus the line of the error position inside it. */
  line: number
  error: PgError
}

export class BatchError extends Error {
  constructor(readonly failure: StatementFailure) {
    super(failure.error.message)
  }
}

export interface TransactionItem {
  statements: PlannedStatement[]
  /** SQL that runs after the statements, inside the same transaction: the history record. */
  trailing: string[]
  /** Told when the server reports this item's COMMIT, with its time: the server's when the trailing SQL returns it. */
  onCommitted?(ms: number): void
}

export class TransactionsError extends BatchError {
  /** Index of the item that failed; the items before it are committed. */
  constructor(
    failure: StatementFailure,
    readonly item: number,
  ) {
    super(failure)
  }
}

type Command =
  | {item: number; kind: 'control' | 'trailing' | 'commit'}
  | {item: number; kind: 'statement'; statement: PlannedStatement}

/**
 * Runs each item as its own transaction, all of them in ONE simple-query message:
 * `BEGIN; <statements>; <history record>; COMMIT; BEGIN; …`. Each migration stays atomic and is
 * recorded with its own commit, but the whole series costs one round trip. The server reports
 * each command as it completes, so progress is live: each COMMIT tells that a migration is in.
 *
 * The commits do not wait for the WAL flush (synchronous_commit = off in these transactions):
 * with many small migrations that wait is a large share of the time. It costs no safety.
 * Atomicity is unchanged (a server crash can lose only whole transactions, newest first, each
 * with its own history row, so history and schema always agree), and the run ends with
 * flushWal(), whose synchronous commit flushes every earlier commit before success is reported.
 */
export async function runTransactions(client: Client, items: TransactionItem[]): Promise<void> {
  const commands: Command[] = []
  const parts: {offset: number; statement: PlannedStatement; item: number}[] = []
  let text = ''
  items.forEach((it, item) => {
    // set_config, not SET LOCAL: one command sets both, and nself.t0 times this transaction alone.
    text +=
      "BEGIN;\nSELECT set_config('synchronous_commit', 'off', true), set_config('nself.t0', clock_timestamp()::text, true);\n"
    commands.push({item, kind: 'control'}, {item, kind: 'control'})
    for (const statement of it.statements) {
      parts.push({offset: text.length, statement, item})
      commands.push({item, kind: 'statement', statement})
      text += `${statement.sql};\n`
    }
    for (const t of it.trailing) {
      commands.push({item, kind: 'trailing'})
      text += `${t};\n`
    }
    commands.push({item, kind: 'commit'})
    text += 'COMMIT;\n'
  })
  let completed = 0
  let last = performance.now()
  const serverMs = new Map<number, number>()
  const stopListening = listenToProtocol(client, {
    // A row returned by an item's trailing SQL is the server's own time for that transaction.
    dataRow: (fields) => {
      const command = commands[completed]
      if (command?.kind === 'trailing' && fields[0] !== null) serverMs.set(command.item, Number(fields[0]))
    },
    commandComplete: () => {
      const command = commands[completed++]
      if (command?.kind !== 'commit') return
      const now = performance.now()
      items[command.item].onCommitted?.(serverMs.get(command.item) ?? Math.round(now - last))
      last = now
    },
  })
  try {
    await client.query(text)
  } catch (error) {
    // Not an error of PostgreSQL's (e.g. the connection dropped): no statement to blame.
    if (!(error as PgError).code) throw error
    const failed = commands[Math.min(completed, commands.length - 1)] // read before ROLLBACK adds to the count
    // A syntax error fails the whole message before anything runs; its position says which item holds it.
    const item = itemAtPosition(error as PgError, parts) ?? failed.item
    const itemParts = parts.filter((p) => p.item === item)
    const failure = locate(
      error as PgError,
      itemParts,
      failed.kind === 'statement' && failed.item === item
        ? itemParts.findIndex((p) => p.statement === failed.statement)
        : itemParts.length - 1,
    )
    await client.query('ROLLBACK').catch(() => {})
    // No statement to blame (the failure was in nself's own history SQL): report PostgreSQL's error as is.
    throw failure ? new TransactionsError(failure, item) : error
  } finally {
    stopListening()
  }
}

/** Waits until every commit of this session is on disk: a commit with an xid and synchronous_commit on. */
export async function flushWal(client: Client): Promise<void> {
  await client.query('BEGIN; SET LOCAL synchronous_commit = on; SELECT pg_current_xact_id(); COMMIT')
}

/** Runs one statement on its own, in autocommit. */
export async function runSingle(client: Client, statement: PlannedStatement): Promise<void> {
  try {
    await client.query(statement.sql)
  } catch (error) {
    if (!(error as PgError).code) throw error
    throw new BatchError({statement, line: lineOf(statement, error as PgError, undefined), error: error as PgError})
  }
}

function itemAtPosition(error: PgError, parts: {offset: number; item: number}[]): number | undefined {
  if (!error.position) return undefined
  const position = Number(error.position) - 1
  return [...parts].reverse().find((p) => p.offset <= position)?.item
}

/** The failing statement: from the error position when PostgreSQL gives one, else the command that did not complete. */
function locate(
  error: PgError,
  parts: {offset: number; statement: PlannedStatement}[],
  failingPart: number,
): StatementFailure | undefined {
  if (!parts.length) return undefined
  const position = error.position ? Number(error.position) - 1 : undefined
  let part = parts[Math.min(Math.max(failingPart, 0), parts.length - 1)]
  if (position !== undefined) {
    const hit = [...parts].reverse().find((p) => p.offset <= position)
    if (hit) part = hit
  }
  return {
    statement: part.statement,
    line: lineOf(part.statement, error, position === undefined ? undefined : position - part.offset),
    error,
  }
}

function lineOf(statement: PlannedStatement, error: PgError, offsetInStatement: number | undefined): number {
  const offset = offsetInStatement ?? (error.position ? Number(error.position) - 1 : undefined)
  if (offset === undefined || offset < 0 || offset > statement.sql.length) return statement.line
  return statement.line + (statement.sql.slice(0, offset).match(/\n/g)?.length ?? 0)
}
