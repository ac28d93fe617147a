/**
 * @db verification through the real CLI: each failure class found by outside DBML gets a
 * DBML-located error and nothing is written; verified pairs are recorded; --deep and --check-down;
 * production rollbacks refuse unverified down files.
 */
import {expect} from 'chai'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, serverUrl} from '../helpers/db.js'

function project(dbml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nself-verify-'))
  mkdirSync(join(dir, 'database'))
  writeFileSync(join(dir, 'database', 'schema.dbml'), dbml)
  return dir
}

const users = (extra: string) => `Table users {\n  id integer [pk]\n  email text [not null]\n${extra}\n}\n`

async function dbRun(dir: string, ...args: string[]) {
  return runCli(['db', 'run', ...args], {cwd: dir, env: {NSELF_VERIFY_DATABASE_URL: await serverUrl()}})
}

describe('verified migrations @db', function () {
  this.timeout(120_000)

  const failures: Array<{name: string; column: string; expected: RegExp}> = [
    {
      name: 'a default function PostgreSQL lacks (getdate())',
      column: '  created timestamp [default: `getdate()`]',
      expected: /^Error: database\/schema\.dbml:4:3: default getdate\(\): function getdate\(\) does not exist/m,
    },
    {
      name: 'interval 1 year without quotes',
      column: '  expires date [default: `current_date + interval 1 year`]',
      expected: /database\/schema\.dbml:4:3: default current_date \+ interval 1 year: syntax error at or near "1"/,
    },
    {
      name: 'a check calling len()',
      column: '  name text\n  Checks { `len(name) > 0` }',
      expected: /database\/schema\.dbml:5:\d+: check len\(name\) > 0: function len\(text\) does not exist/,
    },
  ]
  for (const f of failures) {
    it(`db run refuses ${f.name}: DBML line, exit 5, nothing written`, async () => {
      const dir = project(users(f.column))
      const result = await dbRun(dir)
      expect(result.code, result.stderr).to.equal(5)
      expect(result.stderr).to.match(f.expected)
      expect(existsSync(join(dir, 'database', 'migrations'))).to.equal(false)
    })
  }

  it('a multi-column hash index is refused at validate, with its line', async () => {
    const dir = project(users('  Indexes {\n    (id, email) [type: hash]\n  }'))
    const result = await dbRun(dir)
    expect(result.code).to.equal(5)
    expect(result.stderr).to.match(/schema\.dbml:5:\d+: error: index .* a hash index takes one column/)
    expect(existsSync(join(dir, 'database', 'migrations'))).to.equal(false)
  })

  it('datetime: "did you mean timestamp"', async () => {
    const dir = project(users('  seen datetime'))
    const result = await dbRun(dir)
    expect(result.code).to.equal(5)
    expect(result.stderr).to.match(/schema\.dbml:4:3: error: Unknown data type 'datetime' .*did you mean 'timestamp'/)
  })

  it('serial [increment] becomes a plain serial; the pair is verified and the snapshot says so', async () => {
    const dir = project('Table tickets {\n  id serial [pk, increment]\n  n bigserial [increment]\n}\n')
    const result = await dbRun(dir)
    expect(result.code, result.stderr).to.equal(0)
    const up = readFileSync(join(dir, 'database', 'migrations', '001_initial.up.sql'), 'utf8')
    expect(up)
      .to.match(/"id" serial NOT NULL/)
      .and.not.match(/IDENTITY/)
    expect(up).to.match(/-- Verified on PostgreSQL \d+/)
    const snapshot = JSON.parse(readFileSync(join(dir, 'database', 'migrations', 'meta', '001.json'), 'utf8'))
    expect(snapshot.verified.server).to.match(/^PostgreSQL \d+/)
    expect(snapshot.verified.down).to.match(/^[0-9a-f]{64}$/)
    expect(result.stdout).to.match(/Verified on PostgreSQL/)
  })

  it('--no-verify writes the files marked "not verified"; --deep catches what validate alone does not', async () => {
    const dir = project(users('  created timestamp [default: `getdate()`]'))
    const plain = await runCli(['db', 'validate'], {cwd: dir})
    expect(plain.code).to.equal(0)
    const deep = await runCli(['db', 'validate', '--deep'], {
      cwd: dir,
      env: {NSELF_VERIFY_DATABASE_URL: await serverUrl()},
    })
    expect(deep.code).to.equal(5)
    expect(deep.stderr).to.match(/database\/schema\.dbml:4:3: default getdate\(\): function getdate\(\) does not exist/)
    const written = await dbRun(dir, '--no-verify')
    expect(written.code, written.stderr).to.equal(0)
    expect(readFileSync(join(dir, 'database', 'migrations', '001_initial.up.sql'), 'utf8')).to.match(
      /-- not verified \(written with --no-verify\)/,
    )
    expect(JSON.parse(readFileSync(join(dir, 'database', 'migrations', 'meta', '001.json'), 'utf8')).verified).to.equal(
      false,
    )
  })

  it('--check-down proves a hand-written pair, refuses a down that leaves something behind; production rollback needs it', async () => {
    const dir = project(users(''))
    const migrations = join(dir, 'database', 'migrations')
    mkdirSync(migrations)
    writeFileSync(join(migrations, '001_init.up.sql'), 'CREATE TABLE t (id int primary key);\n')
    writeFileSync(join(migrations, '001_init.down.sql'), 'DROP TABLE t;\n')
    writeFileSync(join(migrations, '002_more.up.sql'), 'CREATE TABLE u (id int);\nCREATE INDEX u_id ON u (id);\n')
    writeFileSync(join(migrations, '002_more.down.sql'), '-- forgot the table\nDROP INDEX u_id;\n')
    const env = {NSELF_VERIFY_DATABASE_URL: await serverUrl()}
    const bad = await runCli(['db', 'validate', '--check-down', '002'], {cwd: dir, env})
    expect(bad.code).to.equal(5)
    expect(bad.stderr)
      .to.match(/002_more\.down\.sql does not give back the state before the up/)
      .and.match(/unexpected table public\.u/)
    expect(existsSync(join(migrations, 'meta', '002.verified.json'))).to.equal(false)

    const target = await freshDatabase()
    try {
      const prod = {...target.env, ENVIRONMENT: 'production'}
      const up = await runCli(['db', 'migrate:up', '--to', '001', '--force'], {cwd: dir, env: prod})
      expect(up.code, up.stderr).to.equal(0)
      const refused = await runCli(['db', 'migrate:down'], {cwd: dir, env: prod})
      expect(refused.code).to.equal(6)
      expect(refused.stderr)
        .to.match(/never verified/)
        .and.match(/001_init\.down\.sql: no verification record/)
        .and.match(/--check-down 001/)
      const good = await runCli(['db', 'validate', '--check-down', '001'], {cwd: dir, env})
      expect(good.code, good.stderr).to.equal(0)
      expect(JSON.parse(readFileSync(join(migrations, 'meta', '001.verified.json'), 'utf8')).server).to.match(
        /^PostgreSQL/,
      )
      const allowed = await runCli(['db', 'migrate:down'], {cwd: dir, env: prod})
      // Verified now: what stops it is only the typed confirmation (no terminal here).
      expect(allowed.stderr).to.not.match(/never verified/)
      writeFileSync(join(migrations, '001_init.down.sql'), 'DROP TABLE t; -- edited\n')
      const edited = await runCli(['db', 'migrate:down'], {cwd: dir, env: prod})
      expect(edited.code).to.equal(6)
      expect(edited.stderr).to.match(/changed after it was verified/)
      const tables = await target.query(`SELECT to_regclass('public.t') AS t`)
      expect(tables.rows[0].t).to.equal('t')
    } finally {
      await target.drop()
    }
  })
})
