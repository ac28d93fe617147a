import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freshDatabase, type TestDatabase} from '../../helpers/db.js'
import {BIN, ROOT, cliEnv, runCli, type CliResult} from '../../helpers/cli.js'
import {catalogFingerprint, makeProject, type TestProject} from '../../helpers/migrations.js'

describe('nself db migrate / status / history / resolve / logs @db', () => {
  let db: TestDatabase
  let project: TestProject
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, {cwd: project.root, env: {...db.env, ...env}})
  beforeEach(async () => {
    db = await freshDatabase('nself_cli')
    project = makeProject({
      '001_users.up.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text);',
      '001_users.down.sql': 'DROP TABLE users;',
      '002_posts.up.sql': 'CREATE TABLE posts (id int, user_id int REFERENCES users (id));',
      '002_posts.down.sql': 'DROP TABLE posts;',
      '003_email_idx.up.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);',
      '003_email_idx.down.sql': 'DROP INDEX CONCURRENTLY IF EXISTS users_email;',
    })
  })
  afterEach(async () => db.drop())

  it('gives identical results for db migrate:up, db migrate up and db:migrate:up (--dry-run --steps 1 is kept)', async () => {
    const spellings = [['db', 'migrate:up'], ['db', 'migrate', 'up'], ['db:migrate:up']]
    const results = await Promise.all(spellings.map((words) => cli([...words, '--dry-run', '--steps', '1'])))
    for (const r of results) expect(r.code, r.stderr).to.equal(0)
    expect(results[0].stdout).to.equal('Would apply 1 migration(s):\n  001_users (1 statement(s), one transaction)\n')
    expect(results[1].stdout).to.equal(results[0].stdout)
    expect(results[2].stdout).to.equal(results[0].stdout)
    const tables = await db.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")
    expect(tables.rows[0].n).to.equal(0) // a dropped --dry-run would have applied, and created the history table
  })

  it('lists the global --verbose and --debug flags in the help of commands under MigrateCommand', async () => {
    const help = await cli(['db', 'migrate', 'down', '--help'])
    expect(help.stdout).to.match(/GLOBAL FLAGS[\s\S]*--debug[\s\S]*--verbose/)
    expect(help.stdout).to.include('--all')
  })

  it('applies, reports status and history as JSON, and rolls back', async () => {
    const up = await cli(['db', 'migrate:up', '--json'])
    expect(up.code, up.stderr).to.equal(0)
    expect(JSON.parse(up.stdout).applied.map((a: {version: string}) => a.version)).to.deep.equal(['001', '002', '003'])
    const status = JSON.parse((await cli(['db', 'status', '--json'])).stdout)
    expect(status.migrations.applied.map((a: {version: string}) => a.version)).to.deep.equal(['001', '002', '003'])
    expect(status.migrations.pending).to.deep.equal([])
    expect(status.connection.database).to.equal(db.name)
    expect(status.schemaAhead.ahead).to.equal('unknown')
    const history = JSON.parse((await cli(['db', 'history', '--json'])).stdout)
    expect(history.map((h: {version: string; executionMs: number}) => h.version)).to.deep.equal(['001', '002', '003'])
    // A rollback is destructive: without a terminal it needs --force, in every environment.
    const refused = await cli(['db', 'migrate', 'down', '--to', '001'])
    expect(refused.code).to.equal(6)
    expect(refused.stderr).to.include('refusing to roll back 2 migration(s)')
    expect((await db.query("SELECT to_regclass('posts') AS t")).rows[0].t).to.equal('posts')
    const down = await cli(['db', 'migrate', 'down', '--to', '001', '--force'])
    expect(down.code, down.stderr).to.equal(0)
    expect(down.stdout).to.include('Rolled back 2 migration(s)')
    expect((await db.query("SELECT to_regclass('posts') AS t")).rows[0].t).to.equal(null)
  })

  it('--show-sql prints each statement with its file line before it runs; --verbose says how each migration is planned', async () => {
    const shown = await cli(['db', 'migrate:up', '--show-sql', '--steps', '1'])
    expect(shown.code, shown.stderr).to.equal(0)
    expect(shown.stdout).to.match(
      /^-- 001_users:1\nCREATE TABLE users \(id int PRIMARY KEY, email text\);\n✔ apply 001_users \(\d+ ms\)\n/,
    )
    const verbose = await cli(['db', 'migrate:up', '--verbose', '--to', '003'])
    expect(verbose.stdout).to.include('003_email_idx.up.sql, 1 statement(s): alone (line 1: concurrent index build)')
  })

  it("a failing migration exits non-zero with file, line and PostgreSQL's message, and changes nothing", async () => {
    await cli(['db', 'migrate:up', '--steps', '1'])
    project.write({
      '002_posts.up.sql':
        "CREATE TABLE posts (id int);\nINSERT INTO posts VALUES (1);\nINSERT INTO posts VALUES ('x');",
    })
    const client = await db.connect()
    const before = await catalogFingerprint(client)
    const r = await cli(['db', 'migrate:up'])
    expect(r.code).to.equal(1)
    expect(r.stderr).to.match(
      /^Error: migration 002_posts failed at database\/migrations\/002_posts\.up\.sql:3: invalid input syntax for type integer: "x" \(SQLSTATE 22P02\)$/m,
    )
    expect(r.stderr).to.match(/^Hint: .*Nothing of 002_posts was applied\.$/m)
    expect(await catalogFingerprint(client)).to.deep.equal(before)
    await client.end()
  })

  it('an applied migration edited afterwards is reported by status and blocks migrate:up until resolved', async () => {
    await cli(['db', 'migrate:up', '--steps', '1'])
    project.write({'001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);'})
    const status = await cli(['db', 'status'])
    expect(status.stdout).to.match(
      /CHANGED +001_users: database\/migrations\/001_users\.up\.sql changed since it was applied/,
    )
    const blocked = await cli(['db', 'migrate:up'])
    expect(blocked.code).to.equal(5)
    expect(blocked.stderr).to.include(
      'applied migration changed since it was applied: database/migrations/001_users.up.sql',
    )
    expect((await db.query("SELECT to_regclass('posts') AS t")).rows[0].t).to.equal(null)
    const resolved = await cli(['db', 'migrate:resolve', '--accept-checksum', '001'])
    expect(resolved.code, resolved.stderr).to.equal(0)
    expect((await cli(['db', 'migrate:up'])).code).to.equal(0)
  })

  it('resolve marks applied and rolled back without SQL; reset-state empties the history only', async () => {
    expect((await cli(['db', 'migrate:resolve', '--applied', '001'])).code).to.equal(0)
    expect((await db.query("SELECT to_regclass('users') AS t")).rows[0].t).to.equal(null)
    expect((await cli(['db', 'migrate:resolve', '--rolled-back', '001'])).code).to.equal(0)
    expect((await cli(['db', 'migrate:resolve', '--applied', '001', '--rolled-back', '002'])).code).to.equal(2)
    await cli(['db', 'migrate:up'])
    const refused = await cli(['db', 'migrate:reset-state'])
    expect(refused.code).to.equal(6)
    const reset = await cli(['db', 'migrate:reset-state', '--force', '--json'])
    expect(JSON.parse(reset.stdout).removed).to.equal(3)
    expect((await db.query("SELECT to_regclass('users') AS t")).rows[0].t).to.equal('users')
  })

  it('in production refuses without a terminal unless --force, and says which rollbacks lose data', async () => {
    const prod = {ENVIRONMENT: 'production'}
    const refused = await cli(['db', 'migrate:up'], prod)
    expect(refused.code).to.equal(6)
    expect(refused.stderr).to.match(
      /refusing to apply 3 migration\(s\) on nself_cli\S+ \(production\) without a terminal to confirm/,
    )
    expect(
      (await db.query("SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('users', 'schema_migrations')"))
        .rows[0].n,
    ).to.equal(0)
    expect((await cli(['db', 'migrate:up', '--force'], prod)).code).to.equal(0)
    const down = await cli(['db', 'migrate:down', '--steps', '2'], prod)
    expect(down.code).to.equal(6)
    expect(down.stderr).to.include('003_email_idx: database/migrations/003_email_idx.down.sql\n')
    expect(down.stderr).to.include('002_posts: database/migrations/002_posts.down.sql — LOSES DATA')
    expect(down.stderr).to.include('002 lose data')
  })

  it('with DB_CONFIRM_DESTRUCTIVE=true asks before a migration that loses data, and only then', async () => {
    const destructive = {DB_CONFIRM_DESTRUCTIVE: 'true'}
    expect((await cli(['db', 'migrate:up'], destructive)).code).to.equal(0)
    project.write({'004_drop_email.up.sql': 'ALTER TABLE users DROP COLUMN email;'})
    const refused = await cli(['db', 'migrate:up'], destructive)
    expect(refused.code).to.equal(6)
    expect(refused.stderr).to.include('004 lose data')
    expect((await cli(['db', 'migrate:up', '--force'], destructive)).code).to.equal(0)
  })

  it('logs db --follow prints new entries as commands run', async () => {
    await cli(['db', 'history'])
    const follower = spawn(process.execPath, [BIN, 'logs', 'db', '--follow', '--json', '--lines', '1'], {
      cwd: project.root,
      env: cliEnv(db.env),
    })
    let out = ''
    follower.stdout.on('data', (d) => (out += d))
    const waitFor = async (text: string) => {
      for (let i = 0; i < 100 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100))
    }
    await waitFor('db:history') // the last existing line: the follower is up
    await cli(['db', 'status'])
    await waitFor('db:status')
    follower.kill('SIGTERM')
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.command)).to.deep.equal(['db:history', 'db:status'])
    expect(lines[1]).to.include({outcome: 'ok', database: db.name})
  })

  it('logs every command that touched the database, without the password', async () => {
    await cli(['db', 'migrate:up'])
    await cli(['db', 'migrate:up'], {DB_MIGRATION_TABLE: 'Bad-Name'})
    await cli(['db', 'status'])
    const logs = await cli(['logs', 'db', '--json', '--lines', '2'])
    const entries = JSON.parse(logs.stdout)
    expect(entries.map((e: {command: string}) => e.command)).to.deep.equal(['db:migrate:up', 'db:status'])
    expect(entries[0]).to.include({environment: 'development', database: db.name, outcome: 'ok'})
    expect(entries[0].durationMs).to.be.a('number')
    const text = readFileSync(join(project.root, '.nself', 'logs', 'db.log'), 'utf8')
    const password = decodeURIComponent(new URL(db.url).password)
    if (password) expect(text).not.to.include(password)
    const plain = await cli(['logs', 'db', '-n', '1'])
    expect(plain.stdout).to.match(/db:status +nself_cli\S+ +ok +\d+ ms/)
  })
})

describe('nself db migrate hooks, with a plugin @db', () => {
  it('beforeMigrate gets the migrations before any SQL and can veto; afterMigrate gets what was applied', async () => {
    const db = await freshDatabase('nself_hook')
    const project = makeProject({
      '001_a.up.sql': 'CREATE TABLE a (id int);',
      '002_b.up.sql': 'CREATE TABLE b (id int);',
    })
    const xdg = mkdtempSync(join(tmpdir(), 'nself-hook-xdg-'))
    const log = join(project.root, 'hooks.log')
    const env = {
      ...db.env,
      XDG_DATA_HOME: join(xdg, 'data'),
      OCLIF_DISABLE_LINKED_ESM_WARNING: '1',
      NSELF_TEST_HOOK_LOG: log,
    }
    const link = await runCli(['plugins', 'link', join(ROOT, 'test/fixtures/plugins/hook-plugin'), '--no-install'], {
      env,
    })
    expect(link.code, link.stderr).to.equal(0)

    const vetoed = await runCli(['db', 'migrate:up'], {
      cwd: project.root,
      env: {...env, NSELF_TEST_HOOK_VETO: 'change freeze until Monday'},
    })
    expect(vetoed.code).to.equal(6)
    expect(vetoed.stderr).to.include('change freeze until Monday')
    // Vetoed before any SQL: not even the history table was created.
    expect(
      (await db.query("SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('a', 'schema_migrations')")).rows[0].n,
    ).to.equal(0)
    const thrown = await runCli(['db', 'migrate:up', '--json'], {
      cwd: project.root,
      env: {...env, NSELF_TEST_HOOK_VETO_ERROR: 'no Friday deploys'},
    })
    expect(thrown.code).to.equal(6)
    expect(JSON.parse(thrown.stdout)).to.deep.equal({
      error: {
        code: 'NSELF_REFUSED',
        message: 'Refused by plugin nself-test-hook-plugin: no Friday deploys',
        exit: 6,
        hint: 'Nothing was changed.',
      },
    })
    expect(
      (await db.query("SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('a', 'schema_migrations')")).rows[0].n,
    ).to.equal(0)

    writeFileSync(log, '')
    const ok = await runCli(['db', 'migrate:up', '--steps', '1'], {cwd: project.root, env})
    expect(ok.code, ok.stderr).to.equal(0)
    const [before, after] = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(before).to.deep.include({
      hook: 'beforeMigrate',
      direction: 'up',
      environment: 'development',
      database: db.name,
      dryRun: false,
    })
    expect(before.migrations).to.deep.equal([
      {version: '001', name: 'a', file: join(project.migrationsDir, '001_a.up.sql')},
    ])
    expect(after.hook).to.equal('afterMigrate')
    expect(after.applied.map((m: {version: string}) => m.version)).to.deep.equal(['001'])
    expect(after.error).to.equal(undefined)
    await db.drop()
  })
})
