import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {createBackup, restoreBackup} from '../../src/backup/index.js'
import {loadConfig, type NselfConfig} from '../../src/config/index.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {bigSchemaSql, bigState} from '../helpers/big-schema.js'

const TABLES = Number(process.env.NSELF_TEST_BIG_TABLES ?? 5000)

describe(`restore of a schema with ${TABLES} tables under the server's default lock table @db`, function () {
  this.timeout(300_000)
  let db: TestDatabase
  let client: pg.Client
  let config: NselfConfig

  before(async () => {
    db = await freshDatabase()
    client = await db.connect()
    for (const sql of bigSchemaSql(TABLES)) await client.query(sql)
    const project = mkdtempSync(join(tmpdir(), 'nself-restore-big-'))
    config = loadConfig({cwd: project, env: {NSELF_PROJECT_DIR: project, DATABASE_URL: db.url}})
  })
  after(async () => {
    await client.end()
    await db.drop()
  })

  it('the lock table is smaller than the restore needs in one transaction', async () => {
    const {rows} = await client.query(`SELECT current_setting('max_locks_per_transaction')::int * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int) AS slots`)
    expect(rows[0].slots).to.be.below(TABLES * 2)
  })

  it('restores every table and row', async () => {
    const t0 = Date.now()
    const backup = await createBackup(config, client, {tools: null, name: 'big'})
    console.log(`backup ${Date.now() - t0} ms`)
    const original = await bigState(client)
    await client.query(`DELETE FROM public.t00001; DROP TABLE public.t00002`)
    const t1 = Date.now()
    const result = await restoreBackup(config, client, backup.path, {tools: null})
    console.log(`restore ${Date.now() - t1} ms`)
    expect(result.tables).to.have.length(TABLES)
    expect(await bigState(client)).to.deep.equal(original)
  })
})
