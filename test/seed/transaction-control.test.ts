/**
 * A `.sql` seed that ends or opens a transaction (COMMIT, ROLLBACK, BEGIN…) or holds a statement
 * PostgreSQL cannot run inside one (VACUUM, CREATE DATABASE, CREATE INDEX CONCURRENTLY…) is
 * refused with its file and line before any seed statement of the run executes, so "all or
 * nothing" stays true.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type pg from 'pg'
import {splitSql} from '@nself/sdk/sql'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {seed, type PluginLoaders} from '../../src/seed/index.js'
import {makeProject} from './helpers.js'

const sqlLoader: PluginLoaders = {
  plugin: 'sql-plugin',
  loaders: [
    {formats: ['sql'], load: (file) => ({kind: 'statements', statements: splitSql(readFileSync(file.path, 'utf8'))})},
  ],
}

const REFUSED = [
  'COMMIT',
  'commit work',
  'COMMIT AND CHAIN',
  'ROLLBACK',
  'ABORT',
  'BEGIN',
  'BEGIN ISOLATION LEVEL SERIALIZABLE',
  'START TRANSACTION',
  'END',
  "PREPARE TRANSACTION 'x'",
  "COMMIT PREPARED 'x'",
  'VACUUM t',
  'CREATE DATABASE x',
  'DROP DATABASE x',
  'CREATE INDEX CONCURRENTLY i ON t (id)',
  'REINDEX TABLE CONCURRENTLY t',
  'ALTER SYSTEM SET work_mem = 1',
  'DISCARD ALL',
]

describe('.sql seeds: no transaction control, nothing that cannot run in a transaction @db', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let client: pg.Client
  before(async () => {
    db = await freshDatabase()
    await db.query('CREATE TABLE t (id int); CREATE SEQUENCE calls')
    client = await db.connect()
  })
  after(async () => {
    await client.end()
    await db.drop()
  })
  const run = (project: string) =>
    seed(client, {
      seedsDir: join(project, 'database/seeds'),
      projectRoot: project,
      environment: 'development',
      loaders: [sqlLoader],
    })
  const count = async () => (await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n
  // nextval is not rolled back: if any statement of the run executed, the sequence moved.
  const calls = async () => (await client.query('SELECT last_value, is_called FROM calls')).rows[0]

  it('COMMIT in the middle of a file: refused with file:line, nothing kept', async () => {
    const project = makeProject({
      'development/001_a.sql':
        "INSERT INTO t VALUES (1);\nSELECT nextval('calls');\nCOMMIT;\nINSERT INTO t VALUES (2);\n",
    })
    const error = await run(project).then(
      () => undefined,
      (e: Error) => e,
    )
    expect(error?.message).to.match(
      /database\/seeds\/development\/001_a\.sql line 3: COMMIT ends the seed run's transaction/,
    )
    expect(await count()).to.equal(0)
    expect((await calls()).is_called).to.equal(false)
  })

  for (const statement of REFUSED) {
    it(`refuses ${statement} before any statement of the run executes`, async () => {
      const project = makeProject({
        'development/001_first.sql': "SELECT nextval('calls');\nINSERT INTO t VALUES (1);\n",
        'development/002_second.sql': `-- a comment\nINSERT INTO t VALUES (2);\n\n${statement};\n`,
      })
      const error = await run(project).then(
        () => undefined,
        (e: Error) => e,
      )
      expect(error?.message, statement).to.match(/002_second\.sql line 4: /)
      expect((error as {exit?: number}).exit).to.equal(5)
      expect(await count()).to.equal(0)
      expect((await calls()).is_called, 'no statement ran').to.equal(false)
    })
  }

  it('savepoints stay inside the run and are allowed', async () => {
    const project = makeProject({
      'development/001_sp.sql':
        'SAVEPOINT s;\nINSERT INTO t VALUES (5);\nROLLBACK TO SAVEPOINT s;\nINSERT INTO t VALUES (6);\nRELEASE SAVEPOINT s;\n',
    })
    await run(project)
    expect((await client.query('SELECT array_agg(id)::text AS ids FROM t')).rows[0].ids).to.equal('{6}')
  })
})
