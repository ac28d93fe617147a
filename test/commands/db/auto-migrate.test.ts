import {expect} from 'chai'
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freshDatabase, type TestDatabase} from '../../helpers/db.js'
import {runCli} from '../../helpers/cli.js'

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures')

describe('DB_AUTO_MIGRATE and DB_SEED_ON_INIT @db', () => {
  let db: TestDatabase
  beforeEach(async () => (db = await freshDatabase()))
  afterEach(async () => db.drop())

  function project(settings: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'nself-auto-'))
    mkdirSync(join(dir, 'database', 'seeds', 'development'), {recursive: true})
    copyFileSync(join(fixtures, 'initial.dbml'), join(dir, 'database', 'schema.dbml'))
    copyFileSync(join(fixtures, 'users.json'), join(dir, 'database', 'seeds', 'development', 'users.json'))
    writeFileSync(join(dir, '.env.local'), settings)
    return dir
  }

  it('db run applies what it generated, and the first migration seeds the development data', async () => {
    const dir = project('DB_AUTO_MIGRATE=true\nDB_SEED_ON_INIT=true\n')
    const result = await runCli(['db', 'run'], {cwd: dir, env: db.env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/Applied 1 migration\(s\)/)
    expect(result.stdout).to.include(
      'Seeded development after the first migration (DB_SEED_ON_INIT): 2 rows committed.',
    )
    const users = await db.query('SELECT email FROM users ORDER BY email')
    expect(users.rows.map((r) => r.email)).to.deep.equal(['admin@example.com', 'user@example.com'])
    // A later migration does not seed again.
    writeFileSync(join(dir, 'database', 'schema.dbml'), '\nTable tags {\n  id int [pk]\n}\n', {flag: 'a'})
    const second = await runCli(['db', 'run'], {cwd: dir, env: db.env})
    expect(second.code, second.stderr).to.equal(0)
    expect(second.stdout).not.to.include('Seeded')
    expect((await db.query('SELECT count(*)::int AS n FROM users')).rows[0].n).to.equal(2)
  })

  it('without the settings, db run only writes files and migrate:up does not seed', async () => {
    const dir = project('')
    const run = await runCli(['db', 'run'], {cwd: dir, env: db.env})
    expect(run.code, run.stderr).to.equal(0)
    expect((await db.query("SELECT to_regclass('public.users') AS t")).rows[0].t).to.equal(null)
    const up = await runCli(['db', 'migrate:up'], {cwd: dir, env: db.env})
    expect(up.code, up.stderr).to.equal(0)
    expect((await db.query('SELECT count(*)::int AS n FROM users')).rows[0].n).to.equal(0)
  })
})
