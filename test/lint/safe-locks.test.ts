/**
 * @db `db run --safe` on a large table: while the index and the foreign key are created, a reader
 * and a writer on that table keep going. 200,000 rows (not 1M) keep the shared test machine
 * usable; the build and validation still take long enough that a blocking form would show.
 */
import {expect} from 'chai'
import type pg from 'pg'
import {diffSchemas} from '../../src/diff/index.js'
import {upSteps} from '../../src/diff/steps.js'
import {safeChanges} from '../../src/lint/index.js'
import {col, model, table} from '../helpers/model.js'
import {createTestDatabase} from '../helpers/pg.js'
import {applySteps, verifyAsDbRun} from '../helpers/roundtrip.js'

const ROWS = 200_000

interface Loop {
  done: number
  /** Longest time between two successful operations while the migration ran, ms. */
  longestGap: number
  errors: string[]
}

/** Runs `op` until `stop()` says so, recording gaps between successes. */
async function loop(op: () => Promise<unknown>, running: () => boolean): Promise<Loop> {
  const result: Loop = {done: 0, longestGap: 0, errors: []}
  let last = performance.now()
  while (running()) {
    try {
      await op()
      const now = performance.now()
      result.longestGap = Math.max(result.longestGap, now - last)
      last = now
      result.done++
    } catch (error) {
      result.errors.push((error as Error).message)
    }
  }
  return result
}

/** Locks that conflict with the RowExclusiveLock of INSERT/UPDATE/DELETE (and AccessExclusive: with SELECT). */
const BLOCKING = new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'])
/** The brief ALTER … NOT VALID holds one for a few ms; validating 200k rows under it takes far longer. */
const BLOCKING_LIMIT_MS = 60

/** Samples pg_locks: the longest continuous time the migration held a blocking lock on orders, ms. */
async function watchLocks(client: pg.Client, pid: number, running: () => boolean): Promise<number> {
  let longest = 0
  let since: number | undefined
  while (running()) {
    const {rows} = await client.query(
      `SELECT mode FROM pg_locks WHERE pid = $1 AND granted AND relation = 'orders'::regclass`,
      [pid],
    )
    const now = performance.now()
    if (rows.some((x) => BLOCKING.has(x.mode))) since ??= now
    else since = undefined
    if (since !== undefined) longest = Math.max(longest, now - since)
  }
  return longest
}

describe('db run --safe keeps a large table readable and writable @db', function () {
  this.timeout(300_000)

  it(`index and foreign key on ${ROWS.toLocaleString('en')} rows: the reader and the writer never wait for the migration`, async () => {
    const a = model([
      table('customers', [col('id', 'integer', {pk: true})]),
      table('orders', [col('id', 'bigint', {pk: true}), col('customer_id', 'integer'), col('note', 'text')]),
    ])
    const b = model([
      table('customers', [col('id', 'integer', {pk: true})]),
      table(
        'orders',
        [
          col('id', 'bigint', {pk: true}),
          col('customer_id', 'integer', {ref: {table: 'customers'}}),
          col('note', 'text'),
        ],
        {indexes: [{columns: ['customer_id']}]},
      ),
    ])
    const changes = safeChanges(diffSchemas(a, b), b)
    await verifyAsDbRun(a, b, changes, 'safe pair')
    const db = await createTestDatabase()
    try {
      await applySteps(db.client, upSteps(diffSchemas(model([]), a)))
      await db.client.query(`INSERT INTO customers SELECT g FROM generate_series(1, 1000) g`)
      await db.client.query(`INSERT INTO orders SELECT g, 1 + g % 1000, 'n' FROM generate_series(1, ${ROWS}) g`)
      await db.client.query('ANALYZE')
      const pgModule = (await import('pg')).default
      const open = async (): Promise<pg.Client> => {
        const c = new pgModule.Client({connectionString: db.url})
        await c.connect()
        // A wait longer than this is a failure: the migration's long phases must not block anyone.
        await c.query(`SET lock_timeout = '3s'`)
        return c
      }
      const [r, w, m, watch] = [await open(), await open(), await open(), await open()]
      const migrationPid = (await m.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
      try {
        let running = true
        let id = ROWS
        const started = performance.now()
        const loops = Promise.all([
          loop(
            () => r.query(`SELECT note FROM orders WHERE id = $1`, [1 + Math.floor(Math.random() * ROWS)]),
            () => running,
          ),
          loop(
            () => w.query(`INSERT INTO orders VALUES ($1, 7, 'new')`, [++id]),
            () => running,
          ),
          watchLocks(watch, migrationPid, () => running),
        ])
        await new Promise((resolve) => setTimeout(resolve, 100))
        await applySteps(m, upSteps(changes))
        const migrationMs = performance.now() - started
        running = false
        const [read, write, blockingMs] = await loops
        expect(read.errors, 'reader errors').to.deep.equal([])
        expect(write.errors, 'writer errors').to.deep.equal([])
        expect(read.done, 'reads during the migration').to.be.greaterThan(3)
        expect(write.done, 'writes during the migration').to.be.greaterThan(3)
        // Blocked for the index build or the validation, the longest gap would be most of the run.
        expect(write.longestGap, `longest write wait (migration took ${Math.round(migrationMs)} ms)`).to.be.lessThan(
          migrationMs / 2,
        )
        expect(read.longestGap, `longest read wait (migration took ${Math.round(migrationMs)} ms)`).to.be.lessThan(
          migrationMs / 2,
        )
        // Directly: how long the migration held a lock on orders that stops writers (or readers).
        expect(blockingMs, 'longest hold of a lock that blocks writes on orders').to.be.lessThan(BLOCKING_LIMIT_MS)
        const {rows} = await m.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'orders_customer_id_fkey'`)
        expect(rows).to.deep.equal([{convalidated: true}])
      } finally {
        for (const c of [r, w, m, watch]) await c.end().catch(() => {})
      }
    } finally {
      await db.drop()
    }
  })
})
