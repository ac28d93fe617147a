import {expect} from 'chai'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync} from 'node:fs'
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
    copyFileSync(new URL('../../fixtures/blog.dbml', import.meta.url).pathname, join(project, 'database', 'schema.dbml'))
    const generated = await runCli(['db', 'run'], {cwd: project})
    expect(generated.code, generated.stderr).to.equal(0)
    const dir = join(project, 'database', 'migrations')
    const up = readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.up.sql'))!), 'utf8')
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

  it('lists each hand-made change and exits 5', async () => {
    await db.query(`ALTER TABLE users ADD COLUMN hack text;
      ALTER TABLE posts ALTER COLUMN title TYPE text;
      DROP INDEX posts_created_at_idx;
      ALTER TYPE user_role ADD VALUE 'root'`)
    const result = await runCli(['db', 'diff', '--live', '--json'], {cwd: project, env: db.env})
    expect(result.code).to.equal(5)
    const drift = JSON.parse(result.stdout).drift as Array<{kind: string; object: string; detail: string}>
    const lines = drift.map((d) => `${d.kind} ${d.object}: ${d.detail}`)
    expect(lines).to.include('unexpected public.users.hack: column not in the migrations')
    expect(lines).to.include('missing public.posts_created_at_idx: index not found')
    expect(lines).to.include('different public.posts.title: type: expected character varying(255), found text')
    expect(lines.some((l) => l.startsWith('different public.user_role: labels'))).to.equal(true)
    // Scratch databases are dropped afterwards.
    const {rows} = await db.query(`SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'nself_drift_%'`)
    expect(rows[0].n).to.equal(0)
  })
})
