import {expect} from 'chai'
import type pg from 'pg'
import {isPgError, pgMessage, withTransaction} from '../src/sql/index.js'
import {freshDatabase, type TestDatabase} from '../../../test/helpers/db.js'

describe('PostgreSQL errors and transactions @db', () => {
  let db: TestDatabase
  let client: pg.Client

  before(async () => {
    db = await freshDatabase('nself_sdk')
    client = await db.connect()
    await client.query('CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (parent_id int REFERENCES parent)')
  })
  after(async () => {
    await client?.end()
    await db?.drop()
  })

  it('commits what fn did and returns its value', async () => {
    const value = await withTransaction(client, async (c) => {
      await c.query('INSERT INTO parent VALUES (1)')
      return 'done'
    })
    expect(value).to.equal('done')
    expect((await db.query('SELECT count(*)::int AS n FROM parent')).rows[0].n).to.equal(1)
  })

  it('rolls back everything when fn throws, and rethrows its error', async () => {
    const error = await withTransaction(client, async (c) => {
      await c.query('INSERT INTO parent VALUES (2)')
      await c.query('INSERT INTO child VALUES (99)')
    }).catch((e: unknown) => e)
    expect(isPgError(error)).to.equal(true)
    expect((await db.query('SELECT count(*)::int AS n FROM parent')).rows[0].n).to.equal(1)
    expect((await client.query<{state: string}>("SELECT 'idle' AS state")).rows[0].state).to.equal('idle') // the session is usable again
  })

  it('runs the mode and the setup statements in the transaction', async () => {
    const rows = await withTransaction(
      client,
      async (c) =>
        (await c.query("SELECT current_setting('transaction_read_only') AS ro, current_setting('TimeZone') AS tz"))
          .rows,
      {
        mode: 'READ ONLY',
        setup: [`SET LOCAL TimeZone = 'UTC'`],
      },
    )
    expect(rows[0]).to.deep.equal({ro: 'on', tz: 'UTC'})
  })

  it('pgMessage gives the message with its detail, and the SQLSTATE when asked', async () => {
    const error = await client.query('INSERT INTO child VALUES (42)').catch((e: unknown) => e)
    if (!isPgError(error)) throw new Error('expected a PostgreSQL error')
    expect(pgMessage(error)).to.equal(
      'insert or update on table "child" violates foreign key constraint "child_parent_id_fkey" (Key (parent_id)=(42) is not present in table "parent".)',
    )
    expect(pgMessage(error, {sqlstate: true})).to.match(/"parent"\.\) \(SQLSTATE 23503\)$/)
    expect(isPgError(new Error('connection lost'))).to.equal(false)
  })
})
