import {expect} from 'chai'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ensureSeedTable} from '../../../src/seed/status.js'
import {runCli} from '../../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../../helpers/db.js'
import {applySteps, generatedStatements} from '../../helpers/roundtrip.js'

describe('nself db diff --live (drift) @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  const project = mkdtempSync(join(tmpdir(), 'nself-drift-'))
  before(async () => {
    db = await freshDatabase()
    mkdirSync(join(project, 'database'))
    copyFileSync(
      new URL('../../fixtures/blog.dbml', import.meta.url).pathname,
      join(project, 'database', 'schema.dbml'),
    )
    const generated = await runCli(['db', 'run'], {cwd: project})
    expect(generated.code, generated.stderr).to.equal(0)
    const dir = join(project, 'database', 'migrations')
    const up = readFileSync(
      join(
        dir,
        readdirSync(dir).find((f) => f.endsWith('.up.sql'))!,
      ),
      'utf8',
    )
    const client = await db.connect()
    try {
      await applySteps(client, generatedStatements(up))
    } finally {
      await client.end()
    }
  })
  after(async () => db.drop())

  it('finds no drift in a database built by the migrations', async () => {
    const result = await runCli(['db', 'diff', '--live'], {cwd: project, env: db.env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/No drift: the database matches migration 001/)
  })

  it("does not count nself's own seed status table (nself_seeds) as drift", async () => {
    const client = await db.connect()
    try {
      await ensureSeedTable(client)
    } finally {
      await client.end()
    }
    const result = await runCli(['db', 'diff', '--live'], {cwd: project, env: db.env})
    expect(result.code, result.stdout).to.equal(0)
    expect(result.stdout).to.not.include('nself_seeds')
  })

  it('lists the changes that would undo each hand-made change, and exits 5', async () => {
    await db.query(`ALTER TABLE users ADD COLUMN hack text;
      ALTER TABLE posts ALTER COLUMN title TYPE text;
      DROP INDEX posts_created_at_idx;
      ALTER TYPE user_role ADD VALUE 'root';
      ALTER TABLE users ALTER COLUMN is_active SET DEFAULT false;
      ALTER TABLE comments ALTER COLUMN content DROP NOT NULL;
      ALTER TABLE categories DROP COLUMN color;
      ALTER TABLE posts DROP CONSTRAINT posts_author_id_fkey;
      CREATE TABLE scratch_notes (id integer);
      CREATE VIEW published AS SELECT id, title FROM posts`)
    const result = await runCli(['db', 'diff', '--live', '--json'], {cwd: project, env: db.env})
    expect(result.code, result.stderr).to.equal(5)
    const parsed = JSON.parse(result.stdout) as {
      expectedVersion: string
      drift: Array<{kind: string; object: string; summary: string; sql: string[]}>
    }
    expect(parsed.expectedVersion).to.equal('001')
    const found = parsed.drift.map((d) => `${d.kind} ${d.object}`)
    expect(found).to.include.members([
      'drop_column public.users.hack',
      'alter_column_type public.posts.title',
      'create_index public.posts_created_at_idx',
      'recreate_enum public.user_role',
      'alter_column_default public.users.is_active',
      'alter_column_nullability public.comments.content',
      'add_column public.categories.color',
      'add_foreign_key public.posts.posts_author_id_fkey',
      'drop_table public.scratch_notes',
    ])
    // Each change carries the SQL that makes the database match the migrations.
    const sql = parsed.drift.flatMap((d) => d.sql).join(';\n')
    expect(sql).to.include('ALTER COLUMN "title" TYPE varchar(255)')
    expect(sql).to.include('ALTER COLUMN "is_active" SET DEFAULT true')
    expect(sql).to.include('DROP TABLE "public"."scratch_notes"')
    // Views are not in the model: not drift.
    expect(found.join('\n')).to.not.include('published')
    const human = await runCli(['db', 'diff', '--live'], {cwd: project, env: db.env})
    expect(human.code).to.equal(5)
    expect(human.stdout).to.include('The database differs from migration 001. To make it match the migrations:')
    expect(human.stdout).to.match(/- drop column public\.users\.hack.*\(loses data\)/)
    expect(human.stderr).to.include('differences from the migrations (drift)')
  })

  it('names applied hand-written migrations, whose changes it cannot know', async () => {
    const other = await freshDatabase()
    const dir = mkdtempSync(join(tmpdir(), 'nself-drift-hand-'))
    try {
      mkdirSync(join(dir, 'database'))
      copyFileSync(new URL('../../fixtures/blog.dbml', import.meta.url).pathname, join(dir, 'database', 'schema.dbml'))
      expect((await runCli(['db', 'run'], {cwd: dir})).code).to.equal(0)
      writeFileSync(
        join(dir, 'database', 'migrations', '002_by_hand.up.sql'),
        'ALTER TABLE tags ADD COLUMN weight integer;\n',
      )
      writeFileSync(
        join(dir, 'database', 'migrations', '002_by_hand.down.sql'),
        'ALTER TABLE tags DROP COLUMN weight;\n',
      )
      const up = await runCli(['db', 'migrate', 'up', '--force'], {cwd: dir, env: other.env})
      expect(up.code, up.stderr).to.equal(0)
      const result = await runCli(['db', 'diff', '--live'], {cwd: dir, env: other.env})
      expect(result.code).to.equal(5)
      expect(result.stderr).to.match(
        /002_by_hand has no snapshot \(hand-written\): the database is compared with snapshot 001/,
      )
      expect(result.stdout).to.include('drop column public.tags.weight')
    } finally {
      await other.drop()
    }
  })

  it('compares only the platform tables the migrations declare, in every schema they use', async () => {
    const other = await freshDatabase()
    const dir = mkdtempSync(join(tmpdir(), 'nself-drift-platform-'))
    try {
      mkdirSync(join(dir, 'database'))
      writeFileSync(
        join(dir, 'database', 'schema.dbml'),
        `Table auth.profiles {\n  id integer [pk]\n  name text\n}\nTable shop.orders {\n  id integer [pk]\n  total numeric(10,2) [default: 0]\n}\n`,
      )
      expect((await runCli(['db', 'run'], {cwd: dir})).code).to.equal(0)
      const up = await runCli(['db', 'migrate', 'up', '--force'], {cwd: dir, env: other.env})
      expect(up.code, up.stderr).to.equal(0)
      // The platform's own tables in auth are not the project's.
      await other.query('CREATE TABLE auth.sessions (id integer)')
      const clean = await runCli(['db', 'diff', '--live'], {cwd: dir, env: other.env})
      expect(clean.code, clean.stdout + clean.stderr).to.equal(0)
      expect(clean.stdout).to.include('No drift: the database matches migration 001')
      await other.query(
        'ALTER TABLE auth.profiles DROP COLUMN name; ALTER TABLE shop.orders ALTER COLUMN total DROP DEFAULT',
      )
      const result = await runCli(['db', 'diff', '--live', '--json'], {cwd: dir, env: other.env})
      expect(result.code).to.equal(5)
      const found = (JSON.parse(result.stdout) as {drift: Array<{kind: string; object: string}>}).drift.map(
        (d) => `${d.kind} ${d.object}`,
      )
      expect(found).to.have.members(['add_column auth.profiles.name', 'alter_column_default shop.orders.total'])
    } finally {
      await other.drop()
    }
  })
})
