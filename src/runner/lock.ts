/**
 * The migration lock: a session-level PostgreSQL advisory lock, one per database and history
 * table, held for the whole run so two deploys never interleave.
 *
 * It is taken by polling pg_try_advisory_lock rather than waiting in pg_advisory_lock: a session
 * blocked inside pg_advisory_lock holds a snapshot, and CREATE INDEX CONCURRENTLY run by the
 * lock holder waits for every older snapshot to go away. That is a deadlock (PostgreSQL breaks it
 * by failing one side). Between polls the waiter holds no snapshot.
 */
import {createHash} from 'node:crypto'
import type {Client} from 'pg'
import {NselfError} from '@nself/sdk/errors'

/** 'nsel' as an int4: the first key of nself's advisory locks, so other tools' locks never collide. */
const NAMESPACE = 0x6e73656c

export interface LockHolder {
  pid: number
  applicationName: string
}

export class LockTimeoutError extends NselfError {
  constructor(
    message: string,
    readonly holder?: LockHolder,
  ) {
    super(message, 1, {
      code: 'NSELF_MIGRATION_LOCKED',
      hint: 'Another migration is running. Wait for it, or raise DB_MIGRATION_LOCK_TIMEOUT. If that process is gone, end its session (nself db reconnect).',
    })
  }
}

export function lockKey(table: string): number {
  return createHash('sha256').update(`nself:migrate:${table}`).digest().readInt32BE(0)
}

export interface MigrationLock {
  release(): Promise<void>
}

export async function acquireLock(client: Client, table: string, timeoutSeconds: number): Promise<MigrationLock> {
  const key = lockKey(table)
  const deadline = Date.now() + timeoutSeconds * 1000
  let wait = 20
  for (;;) {
    const {rows} = await client.query<{ok: boolean}>('SELECT pg_try_advisory_lock($1, $2) AS ok', [NAMESPACE, key])
    if (rows[0].ok) return {release: () => releaseLock(client, key)}
    if (Date.now() >= deadline) throw await lockTimeout(client, key, timeoutSeconds)
    await sleep(Math.min(wait, Math.max(1, deadline - Date.now())) * (0.75 + Math.random() / 2))
    wait = Math.min(wait * 1.5, 250) // short first: a waiting deploy should start soon after the holder ends
  }
}

async function releaseLock(client: Client, key: number): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [NAMESPACE, key]).catch(() => {})
}

async function lockTimeout(client: Client, key: number, timeoutSeconds: number): Promise<LockTimeoutError> {
  const {rows} = await client.query<{pid: number; application_name: string}>(
    `SELECT l.pid, coalesce(a.application_name, '') AS application_name
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ($1::int)::oid AND l.objid = ($2::int)::oid AND l.objsubid = 2
      LIMIT 1`,
    [NAMESPACE, key],
  )
  const holder = rows[0] ? {pid: rows[0].pid, applicationName: rows[0].application_name} : undefined
  const who = holder
    ? `pid ${holder.pid}, application_name "${holder.applicationName || '(none)'}"`
    : 'a session that has just ended'
  return new LockTimeoutError(
    `could not take the migration lock within ${timeoutSeconds} s: it is held by ${who}`,
    holder,
  )
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
