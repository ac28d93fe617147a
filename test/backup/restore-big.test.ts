import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {createBackup, restoreBackup} from '../../src/backup/index.js'
import {loadConfig, type NselfConfig} from '../../src/config/index.js'
import {BIN, cliEnv, runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {bigSchemaSql, bigState, type BigState} from '../helpers/big-schema.js'

// 800 tables of 7 relations each (table, TOAST table and index, key, unique and plain index,
// sequence): dropping and recreating them in one transaction needs about 11,000 lock slots, the
// default lock table has 6,400. The 5,000-table run is bench/restore-big.mjs (too slow for a test).
const TABLES = Number(process.env.NSELF_TEST_BIG_TABLES ?? 800)

describe(`restore of ${TABLES} tables, more than one transaction can lock with the server's defaults @db`, function () {
  this.timeout(240_000)
  let db: TestDatabase
  let client: pg.Client
  let config: NselfConfig
  let project: string
  let backupPath: string
  let original: BigState

  const journal = async () =>
    (await client.query(`SELECT pg_catalog.to_regclass('nself_restore.journal') AS j`)).rows[0].j
  const messUp = async () => {
    await client.query(
      `DELETE FROM public.t00001; UPDATE public.t00700 SET label = label || ' changed'; DROP TABLE public.t00002; CREATE TABLE public.extra (x int)`,
    )
    await client.query(`INSERT INTO public.extra VALUES (1), (2)`)
  }
  const state = async () => ({
    big: await bigState(client, TABLES),
    extra: (await client.query(`SELECT pg_catalog.to_regclass('public.extra') IS NOT NULL AS e`)).rows[0].e,
  })

  before(async () => {
    db = await freshDatabase()
    client = await db.connect()
    for (const sql of bigSchemaSql(TABLES)) await client.query(sql)
    const {rows} = await client.query(
      `SELECT current_setting('max_locks_per_transaction')::int * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int) AS slots`,
    )
    expect(rows[0].slots, 'the server runs with the default lock table').to.equal(6400)
    project = mkdtempSync(join(tmpdir(), 'nself-restore-big-'))
    mkdirSync(join(project, '.nself'))
    config = loadConfig({cwd: project, env: {NSELF_PROJECT_DIR: project, DATABASE_URL: db.url}})
    backupPath = (await createBackup(config, client, {tools: null, name: 'big'})).path
    original = await bigState(client, TABLES)
    expect(original.tables).to.equal(TABLES)
    expect(original.rows).to.equal(TABLES * 2)
  })
  after(async () => {
    await client.end()
    await db.drop()
  })

  it('one transaction runs out of lock slots; the restore goes on in batches and every table and row comes back', async () => {
    await messUp()
    // batched: false tries one transaction first: only an out-of-locks error (53200) leads to batches.
    const result = await restoreBackup(config, client, backupPath, {tools: null, batched: false})
    expect(result.batches?.safetyBackup, 'fell back to batches under a safety backup').to.match(
      /pre-restore-.*\.nself-backup$/,
    )
    expect(result.tables).to.have.length(TABLES)
    for (const t of result.tables) expect(t.rows).to.equal(t.expected)
    expect(await state()).to.deep.equal({big: original, extra: false}) // the backup has schema public: all of it is replaced
    expect(await journal()).to.equal(null)
  })

  it('decides up front to use batches, and a failure in a late batch leaves the database as it was before the restore', async () => {
    await messUp()
    const before = await state()
    const seen: string[] = []
    let error: Error | undefined
    try {
      await restoreBackup(config, client, backupPath, {
        tools: null,
        onBatch: ({index, total, step}) => {
          seen.push(step)
          if (index === total - 1) throw new Error('injected failure')
        },
      })
    } catch (e) {
      error = e as Error
    }
    expect(seen).to.include.members(['drop', 'schema', 'data', 'keys and indexes', 'sequences'])
    expect(seen.filter((s) => s === 'data').length, 'the data went in over several transactions').to.be.above(1)
    expect(error?.message).to.match(
      /^restoring big failed \(batch \d+ of \d+, sequences: injected failure\); the database was returned to its state before the restore from the safety backup pre-restore-/,
    )
    expect(await state()).to.deep.equal(before)
    expect(await journal()).to.equal(null)
  })

  it('kill -9 part-way: the next nself command returns the database to its state before the restore', async () => {
    const before = await state()
    const env = cliEnv({
      ...db.env,
      NSELF_PROJECT_DIR: project,
      NSELF_PG_BIN_DIR: mkdtempSync(join(tmpdir(), 'nself-no-pg-')),
    })
    const child = spawn(process.execPath, [BIN, 'db', 'restore', '--name', 'big', '--force'], {
      cwd: project,
      env,
      stdio: 'ignore',
    })
    const watcher = await db.connect()
    let caught = false
    try {
      // Kill once the journal is committed and the batches are loading data (tables dropped by then).
      for (
        const deadline = Date.now() + 120_000;
        Date.now() < deadline && !caught;
        await new Promise((r) => setTimeout(r, 20))
      ) {
        const {rows} = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'nself db:restore' AND query LIKE 'COPY%' AND pg_catalog.to_regclass('nself_restore.journal') IS NOT NULL`,
        )
        caught = rows.length > 0
      }
      child.kill('SIGKILL')
      await new Promise((r) => child.on('close', r))
    } finally {
      await watcher.end()
    }
    expect(caught, 'the restore was killed while it loaded data').to.equal(true)
    expect(await journal(), 'the journal says the database is part-way').to.not.equal(null)
    expect(await state(), 'part-way: not the state before, not the backup').to.not.deep.equal(before)
    const next = await runCli(['db', 'status'], {cwd: project, env: {...db.env, NSELF_PROJECT_DIR: project}})
    expect(next.stderr).to.match(
      /A restore of big \(started .*\) was interrupted part-way; returning the database to its state before it from pre-restore-/,
    )
    expect(next.stderr).to.include('The database is back to its state before that restore.')
    expect(await journal()).to.equal(null)
    expect(await state()).to.deep.equal(before)
  })
})
