import {expect} from 'chai'
import {mkdtempSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {createBackup, restoreBackup, verifyBackup, findPgTools} from '../../src/backup/index.js'
import {loadConfig, type NselfConfig} from '../../src/config/index.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {createBlog, databaseState, MESS_UP_SQL, type DatabaseState} from '../helpers/blog.js'

const ROWS = 100_000

// One database for both paths: each test backs up, messes everything up, restores and compares.
describe('backup and restore round trip (blog + 100,000 rows) @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let client: pg.Client
  let config: NselfConfig
  let original: DatabaseState

  before(async () => {
    db = await freshDatabase()
    client = await db.connect()
    await createBlog(client, ROWS)
    const project = mkdtempSync(join(tmpdir(), 'nself-roundtrip-'))
    config = loadConfig({cwd: project, env: {NSELF_PROJECT_DIR: project, DATABASE_URL: db.url}})
    original = await databaseState(client)
  })
  after(async () => {
    await client.end()
    await db.drop()
  })

  async function roundTrip(tools: Awaited<ReturnType<typeof findPgTools>> | null, compress: boolean): Promise<void> {
    const backup = await createBackup(config, client, {tools, compress})
    expect(backup.manifest.method).to.equal(tools ? 'pg_dump' : 'builtin')
    expect(statSync(backup.path).mode & 0o777).to.equal(0o600)
    expect(backup.manifest.tables.find((t) => t.name === 'events')?.rows).to.equal(ROWS)
    expect(backup.manifest.sequences.find((s) => s.name === 'events_id_seq')).to.include({
      value: String(ROWS + 50_000),
      isCalled: true,
    })
    expect(JSON.stringify(backup.manifest)).not.to.include(new URL(db.url).password || 'no-password')
    await client.query(MESS_UP_SQL)
    const messed = await databaseState(client)
    expect(messed.tables).not.to.deep.equal(original.tables)
    expect(messed.schema).not.to.equal(original.schema)
    const result = await restoreBackup(config, client, backup.path, {tools})
    for (const table of result.tables) expect(table.rows, table.name).to.equal(table.expected)
    const restored = await databaseState(client)
    expect(restored.tables).to.deep.equal(original.tables)
    expect(restored.sequences).to.deep.equal(original.sequences)
    expect(restored.schema).to.equal(original.schema)
  }

  it('built-in path (no pg_dump), uncompressed: every table, sequence and the schema come back', async () => {
    await roundTrip(null, false)
  })

  it('built-in path, compressed', async () => {
    await roundTrip(null, true)
  })

  it('pg_dump path, when a compatible pg_dump is on the machine', async function () {
    const {rows} = await client.query('SHOW server_version_num')
    const tools = await findPgTools(Number(rows[0].server_version_num))
    if (!tools) this.skip() // reason: no pg_dump/pg_restore/psql of a compatible version on this machine
    await roundTrip(tools, false)
  })

  it('the manifest records row counts and content checksums that the file verifies against', async () => {
    const backup = await createBackup(config, client, {tools: null, name: 'checksums'})
    const manifest = await verifyBackup(backup.path)
    expect(manifest.tables.map((t) => t.name)).to.include.members(['users', 'posts', 'comments', 'events', 'post_tags'])
    for (const table of manifest.tables) expect(table.sha256).to.match(/^[0-9a-f]{64}$/)
    expect(manifest.tables.find((t) => t.name === 'users')).to.include({rows: 2, format: 'text'}) // an enum column: text COPY
    expect(manifest.tables.find((t) => t.name === 'events')).to.include({rows: ROWS, format: 'binary'}) // built-in types only
    expect(manifest.notCarried).to.deep.equal([])
  })
})
