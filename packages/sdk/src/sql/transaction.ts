/** The one BEGIN … COMMIT / ROLLBACK of nself and its plugins. */

/** What a transaction needs of a connection: node-postgres's Client and PoolClient fit. */
export interface Queryable {
  query(text: string): Promise<unknown>
}

export interface TransactionOptions {
  /** Written after BEGIN, e.g. "ISOLATION LEVEL REPEATABLE READ, READ ONLY". */
  mode?: string
  /** Statements run right after BEGIN, in the same round trip (e.g. SET LOCAL …). */
  setup?: string[]
}

/**
 * Runs fn inside one transaction that is always rolled back: a read-only snapshot, or a trial run of
 * statements whose effects must not stay. fn's error, if any, is the one rethrown.
 */
export function withRollback<C extends Queryable, T>(
  client: C,
  fn: (client: C) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return inTransaction(client, fn, options, false)
}

/**
 * Runs fn inside one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error of
 * fn is the one rethrown; a failing ROLLBACK, e.g. on a dropped connection, is not reported over it).
 */
export function withTransaction<C extends Queryable, T>(
  client: C,
  fn: (client: C) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return inTransaction(client, fn, options, true)
}

/** The one BEGIN; then COMMIT on success when `commit`, else ROLLBACK. */
async function inTransaction<C extends Queryable, T>(
  client: C,
  fn: (client: C) => Promise<T>,
  options: TransactionOptions,
  commit: boolean,
): Promise<T> {
  await client.query([`BEGIN${options.mode ? ` ${options.mode}` : ''}`, ...(options.setup ?? [])].join('; '))
  let result: T
  try {
    result = await fn(client)
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
  await (commit ? client.query('COMMIT') : client.query('ROLLBACK').catch(() => {}))
  return result
}
