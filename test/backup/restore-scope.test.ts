/**
 * `db restore` replaces what the backup covers and keeps the rest: a schema the backup does not
 * contain survives with its rows unless --clean asks for it, the command says before it asks what it
 * will drop and keep, and it names the source database when the backup came from another one.
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {craftBackup} from '../helpers/backup-craft.js'

describe('db restore: keeps what the backup does not cover @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let client: pg.Client
  let project: string
  let env: Record<string, string>
  const backups = () => join(project, 'database', 'backups')
  const hasExtra = async () => (await client.query("SELECT to_regclass('extra.keep') IS NOT NULL AS ok")).rows[0].ok

  before(async () => {
    db = await freshDatabase()
    client = await db.connect()
    await client.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)')
    project = mkdtempSync(join(tmpdir(), 'nself-restore-scope-'))
    mkdirSync(join(project, '.nself'))
    env = {...db.env, NSELF_PG_BIN_DIR: mkdtempSync(join(tmpdir(), 'nself-no-pg-'))}
    const made = await runCli(['db', 'backup', '--name', 'public-only', '--json'], {cwd: project, env})
    expect(made.code, made.stderr).to.equal(0)
    // Made after the backup: a schema the backup does not contain, with rows.
    await client.query('CREATE SCHEMA extra; CREATE TABLE extra.keep (id int); INSERT INTO extra.keep VALUES (7)')
    await craftBackup(
      join(backups(), 'public-only.nself-backup'),
      join(backups(), 'other-project.nself-backup'),
      (_n, data) => data,
      (m) => {
        m.database = 'someone_elses_db'
      },
    )
  })
  after(async () => {
    await client.end()
    await db.drop()
    rmSync(project, {recursive: true, force: true})
  })

  it('says what it drops and keeps before asking, and keeps a schema the backup does not contain', async () => {
    await client.query('INSERT INTO t VALUES (3)')
    const refused = await runCli(['db', 'restore', '--name', 'public-only'], {cwd: project, env})
    expect(refused.code).to.equal(6) // no terminal, no --force
    expect(refused.stderr).to.match(/replaces: schema public \(1 table\)/)
    expect(refused.stderr).to.match(/keeps: schema extra \(1 table\), not in the backup \(--clean drops it\)/)
    const result = await runCli(['db', 'restore', '--name', 'public-only', '--force'], {cwd: project, env})
    expect(result.code, result.stderr).to.equal(0)
    expect(await hasExtra()).to.equal(true)
    expect((await client.query('SELECT count(*)::int AS n FROM extra.keep')).rows[0].n).to.equal(1)
    expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n).to.equal(2)
  })

  it('--clean drops what the backup does not contain, and says so first', async () => {
    const result = await runCli(['db', 'restore', '--name', 'public-only', '--clean', '--force'], {cwd: project, env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.match(/drops: schema extra \(1 table\), not in the backup \(--clean\)/)
    expect(await hasExtra()).to.equal(false)
  })

  it('names the source database when the backup comes from another one', async () => {
    const refused = await runCli(['db', 'restore', '--name', 'other-project'], {cwd: project, env})
    expect(refused.code).to.equal(6)
    expect(refused.stderr).to.match(
      new RegExp(`backup other-project was made from database someone_elses_db, not ${db.name}`),
    )
  })
})
