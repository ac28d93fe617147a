import {expect} from 'chai'
import {unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type pg from 'pg'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {catalogFingerprint, makeProject, type TestProject} from '../helpers/migrations.js'
import {
  LockTimeoutError,
  migrateDown,
  migrateUp,
  MigrationError,
  readHistory,
  resolveMigration,
  type UpOptions,
} from '../../src/runner/index.js'

const base = (project: TestProject): UpOptions => ({
  migrationsDir: project.migrationsDir,
  table: 'schema_migrations',
  lockTimeoutSeconds: 2,
  statementTimeoutSeconds: 30,
})

describe('migration runner @db', () => {
  let db: TestDatabase
  let client: pg.Client
  beforeEach(async () => {
    db = await freshDatabase('nself_mig')
    client = await db.connect()
  })
  afterEach(async () => {
    await client.end().catch(() => {})
    await db.drop()
  })

  it('applies pending migrations in order and records version, checksum, time and who', async () => {
    const project = makeProject({
      '002_posts.up.sql': 'CREATE TABLE posts (id int REFERENCES users (id));',
      '001_users.up.sql': 'CREATE TABLE users (id int PRIMARY KEY);\nINSERT INTO users VALUES (1), (2);',
    })
    const result = await migrateUp(client, base(project))
    expect(result.applied.map((a) => a.version)).to.deep.equal(['001', '002'])
    const history = await readHistory(client, 'schema_migrations')
    expect(history.map((h) => [h.version, h.name, h.statementsDone])).to.deep.equal([
      ['001', 'users', undefined],
      ['002', 'posts', undefined],
    ])
    expect(history[0].checksum).to.match(/^[0-9a-f]{64}$/)
    expect(history[0].appliedBy).to.match(/^.+@.+$/)
    expect((await migrateUp(client, base(project))).applied).to.deep.equal([])
  })

  it('applies a pending migration older than the newest applied one, and says it is out of order', async () => {
    const project = makeProject({
      '001_a.up.sql': 'CREATE TABLE a (id int);',
      '003_c.up.sql': 'CREATE TABLE c (id int);',
    })
    await migrateUp(client, base(project))
    project.write({'002_b.up.sql': 'CREATE TABLE b (id int);'})
    const notices: string[] = []
    const result = await migrateUp(client, {...base(project), reporter: {notice: (m) => notices.push(m)}})
    expect(result.applied.map((a) => a.version)).to.deep.equal(['002'])
    expect(notices).to.deep.equal(['applying 002_b out of order: 003 is already applied'])
  })

  it('a failing statement in the middle leaves the database and the history exactly as before', async () => {
    const project = makeProject({
      '001_base.up.sql': 'CREATE TABLE base (id int PRIMARY KEY);',
      '002_broken.up.sql': [
        "CREATE TYPE mood AS ENUM ('ok');",
        'CREATE TABLE t2 (id int, m mood);',
        'CREATE INDEX t2_id ON t2 (id);',
        "INSERT INTO t2 VALUES (1, 'ok');",
        '',
        'ALTER TABLE t2',
        '  ADD COLUMN x int REFERENCES nowhere (id);',
        'CREATE TABLE never (id int);',
      ].join('\n'),
    })
    await migrateUp(client, {...base(project), steps: 1})
    const before = await catalogFingerprint(client)
    const error = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(error).to.be.instanceOf(MigrationError)
    expect(error.message, error.message).to.match(
      /^migration 002_broken failed at .*002_broken\.up\.sql:6: relation "nowhere" does not exist \(SQLSTATE 42P01\)$/,
    )
    expect(error.hint).to.include('Nothing of 002_broken was applied')
    expect(await catalogFingerprint(client)).to.deep.equal(before)
  })

  it('refuses a psql meta-command with its file and line before anything runs', async () => {
    const project = makeProject({'001_a.up.sql': 'CREATE TABLE a (id int);\n\\i more.sql\n'})
    const error = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(error?.message, error?.message).to.match(/001_a\.up\.sql:2: \\i is a psql meta-command, not SQL/)
    expect(error?.exit).to.equal(5)
    expect(
      (await client.query("SELECT to_regclass('a') AS t, to_regclass('schema_migrations') AS h")).rows[0],
    ).to.deep.equal({t: null, h: null})
  })

  it('in a series sent as one message, keeps the migrations before the failing one and names its file and line', async () => {
    const project = makeProject({
      '001_a.up.sql': 'CREATE TABLE a (id int);',
      '002_b.up.sql': 'CREATE TABLE b (id int);\nCREATE TABLE b2 (id int);\nSELEC 1;',
      '003_c.up.sql': 'CREATE TABLE c (id int);',
    })
    const done: string[] = []
    const error = await migrateUp(client, {
      ...base(project),
      reporter: {migrationDone: (m) => done.push(m.version)},
    }).then(
      () => undefined,
      (e) => e,
    )
    expect(error?.message, error?.message).to.match(
      /^migration 002_b failed at .*002_b\.up\.sql:3: syntax error at or near "SELEC" \(SQLSTATE 42601\)$/,
    )
    expect(done).to.deep.equal(['001'])
    expect((await readHistory(client, 'schema_migrations')).map((h) => h.version)).to.deep.equal(['001'])
    const tables = await client.query(
      "SELECT array_agg(relname::text ORDER BY relname) AS t FROM pg_class WHERE relname IN ('a', 'b', 'b2', 'c')",
    )
    expect(tables.rows[0].t).to.deep.equal(['a'])
    // A run-time error (no position) in the second migration of a series: counted from the completed commands.
    project.write({
      '002_b.up.sql': 'CREATE TABLE b (id int);\nSELECT 1 / 0;',
      '004_d.up.sql': 'CREATE TABLE d (id int);',
    })
    await client.query('DROP TABLE a; DELETE FROM schema_migrations')
    const again = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(again?.message, again?.message).to.match(/^migration 002_b failed at .*002_b\.up\.sql:2: division by zero/)
    expect((await readHistory(client, 'schema_migrations')).map((h) => h.version)).to.deep.equal(['001'])
  })

  it('names the failing statement even when PostgreSQL gives no error position', async () => {
    const project = makeProject({
      '001_div.up.sql': 'CREATE TABLE a (id int);\n\nSELECT 1 / 0;\nCREATE TABLE b (id int);',
    })
    const error = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(error.message, error.message).to.match(/001_div\.up\.sql:3: division by zero/)
    expect(error.line).to.equal(3)
  })

  it('runs CREATE INDEX CONCURRENTLY and an enum value used later outside the transaction', async () => {
    const project = makeProject({
      '001_t.up.sql':
        "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE t (id int, m mood);\nINSERT INTO t SELECT g, 'sad' FROM generate_series(1, 500) g;",
      '002_idx.up.sql':
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_id ON t (id);\nALTER TYPE mood ADD VALUE 'happy';\nUPDATE t SET m = 'happy' WHERE id = 1;",
    })
    const result = await migrateUp(client, base(project))
    expect(result.planned[1].steps.map((s) => s.kind)).to.deep.equal(['single', 'single', 'transaction'])
    const idx = await client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass")
    expect(idx.rows[0].indisvalid).to.equal(true)
    expect((await client.query("SELECT count(*)::int AS n FROM t WHERE m = 'happy'")).rows[0].n).to.equal(1)
  })

  it('drops and rebuilds an INVALID index left by a failed concurrent build, although IF NOT EXISTS would skip it', async () => {
    const project = makeProject({
      '001_t.up.sql': 'CREATE TABLE t (id int);\nINSERT INTO t SELECT g % 10 FROM generate_series(1, 200) g;',
      '002_uniq.up.sql': 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_uniq ON t (id);',
    })
    await migrateUp(client, {...base(project), steps: 1})
    const error = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(error?.pgCode).to.equal('23505')
    const invalid = await client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_uniq'::regclass")
    expect(invalid.rows[0].indisvalid).to.equal(false)
    await client.query('DELETE FROM t; INSERT INTO t SELECT generate_series(1, 200)')
    const notices: string[] = []
    await migrateUp(client, {...base(project), reporter: {notice: (m) => notices.push(m)}})
    const valid = await client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_uniq'::regclass")
    expect(valid.rows[0].indisvalid).to.equal(true)
    expect(notices.join('\n')).to.match(/t_uniq is INVALID/)
  })

  it('continues a migration that stopped part way from the statement after the last one done', async () => {
    const project = makeProject({
      '001_steps.up.sql':
        'CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE TABLE b (id int);\nSELECT 1 / 0;',
    })
    const error = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(error.hint).to.match(/continues from the failing step/)
    const partial = await readHistory(client, 'schema_migrations')
    expect(partial[0].statementsDone).to.equal(2)
    writeFileSync(
      join(project.migrationsDir, '001_steps.up.sql'),
      'CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE TABLE b (id int);\nSELECT 1;',
    )
    await migrateUp(client, {...base(project), force: true})
    const done = await readHistory(client, 'schema_migrations')
    expect(done[0].statementsDone).to.equal(undefined)
    expect((await client.query("SELECT to_regclass('b') AS b")).rows[0].b).to.equal('b')
  })

  it('refuses to run while an applied migration was edited, until --force or resolve --accept-checksum', async () => {
    const project = makeProject({'001_a.up.sql': 'CREATE TABLE a (id int);'})
    await migrateUp(client, base(project))
    project.write({'001_a.up.sql': 'CREATE TABLE a (id bigint);', '002_b.up.sql': 'CREATE TABLE b (id int);'})
    const error = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(error?.code).to.equal('NSELF_CHECKSUM_MISMATCH')
    expect(error.message).to.include('001_a.up.sql')
    expect((await client.query("SELECT to_regclass('b') AS b")).rows[0].b).to.equal(null)
    await resolveMigration(client, 'accept-checksum', '1', {
      migrationsDir: project.migrationsDir,
      table: 'schema_migrations',
      lockTimeoutSeconds: 2,
    })
    expect((await migrateUp(client, base(project))).applied.map((a) => a.version)).to.deep.equal(['002'])
  })

  it('rolls back one, --to VERSION (which stays applied) and --all; refuses a missing down file before any SQL', async () => {
    const files: Record<string, string> = {}
    for (const v of ['001', '002', '003', '004']) {
      files[`${v}_t.up.sql`] = `CREATE TABLE t${v} (id int);`
      files[`${v}_t.down.sql`] = `DROP TABLE t${v};`
    }
    const project = makeProject(files)
    await migrateUp(client, base(project))
    const applied = async () => (await readHistory(client, 'schema_migrations')).map((h) => h.version).sort()
    expect((await migrateDown(client, base(project))).applied.map((a) => a.version)).to.deep.equal(['004'])
    expect((await migrateDown(client, {...base(project), to: '2'})).applied.map((a) => a.version)).to.deep.equal([
      '003',
    ])
    expect(await applied()).to.deep.equal(['001', '002'])
    unlinkSync(join(project.migrationsDir, '001_t.down.sql'))
    const error = await migrateDown(client, {...base(project), all: true}).then(
      () => undefined,
      (e) => e,
    )
    expect(error?.message).to.match(/cannot roll back 001_t: its down file is missing/)
    expect(await applied()).to.deep.equal(['001', '002'])
    project.write({'001_t.down.sql': 'DROP TABLE t001;'})
    await migrateDown(client, {...base(project), all: true})
    expect(await applied()).to.deep.equal([])
  })

  it('refuses a same-named table of another tool, and keeps its history in a schema-qualified table when told', async () => {
    const project = makeProject({'001_a.up.sql': 'CREATE TABLE a (id int);'})
    await client.query('CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)') // dbmate's
    const error = await migrateUp(client, base(project)).then(
      () => undefined,
      (e) => e,
    )
    expect(error?.message).to.equal(
      'table schema_migrations exists but is not an nself history table (no column name, checksum, applied_at, execution_ms, applied_by, statements_done)',
    )
    expect((await client.query("SELECT to_regclass('a') AS t")).rows[0].t).to.equal(null)
    await migrateUp(client, {...base(project), table: 'nself.migrations'})
    expect((await readHistory(client, 'nself.migrations')).map((h) => h.version)).to.deep.equal(['001'])
  })

  it('records into the same history table when a migration changes search_path', async () => {
    const project = makeProject({
      '001_schema.up.sql': 'CREATE SCHEMA app;\nSET search_path = app;\nCREATE TABLE things (id int);',
      '002_more.up.sql': 'CREATE TABLE more_things (id int);',
    })
    await migrateUp(client, base(project))
    const {rows} = await client.query(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name IN ('schema_migrations', 'things', 'more_things') ORDER BY table_name",
    )
    expect(rows.map((r) => `${r.table_schema}.${r.table_name}`)).to.deep.equal([
      'app.more_things',
      'public.schema_migrations',
      'app.things',
    ])
    expect((await client.query('SELECT count(*)::int AS n FROM public.schema_migrations')).rows[0].n).to.equal(2)
  })

  it("waits at most the lock timeout, then names the holder's pid and application name", async () => {
    const project = makeProject({'001_a.up.sql': 'CREATE TABLE a (id int);'})
    const holder = await db.connect()
    await holder.query("SET application_name = 'deploy-bot'")
    const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
    // Take the lock the way a running migrate does: through the runner, paused in beforeRun.
    let release!: () => void
    const paused = new Promise<void>((r) => (release = r))
    let entered!: () => void
    const inside = new Promise<void>((r) => (entered = r))
    const running = migrateUp(holder, {...base(project), beforeRun: async () => (entered(), paused)})
    await inside
    const started = Date.now()
    const error = await migrateUp(client, {...base(project), lockTimeoutSeconds: 1}).then(
      () => undefined,
      (e) => e,
    )
    expect(error).to.be.instanceOf(LockTimeoutError)
    expect(error.message).to.equal(
      `could not take the migration lock within 1 s: it is held by pid ${pid}, application_name "deploy-bot"`,
    )
    expect(Date.now() - started).to.be.within(900, 3000)
    release()
    await running
    await holder.end()
  })
})
