import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {BIN, cliEnv, runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {createBackup} from '../../src/backup/index.js'
import {loadConfig} from '../../src/config/index.js'
import {createBlog, databaseState, type DatabaseState} from '../helpers/blog.js'

// The commands as a user runs them. NSELF_PG_BIN_DIR pointing at an empty folder is a machine
// without pg_dump; without it, the machine's own tools are used when compatible.
describe('nself db backup / backup:list / restore / prune @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let client: pg.Client
  let project: string
  let env: Record<string, string>
  let original: DatabaseState
  const backups = () => join(project, 'database', 'backups')

  before(async () => {
    db = await freshDatabase()
    client = await db.connect()
    await createBlog(client, 20_000)
    original = await databaseState(client)
    project = mkdtempSync(join(tmpdir(), 'nself-backup-cli-'))
    mkdirSync(join(project, '.nself'))
    env = {...db.env, NSELF_PG_BIN_DIR: mkdtempSync(join(tmpdir(), 'nself-no-pg-'))}
  })
  after(async () => {
    await client.end()
    await db.drop()
  })

  it('backs up under the default name, mode 0600, and lists it', async () => {
    const result = await runCli(['db', 'backup', '--json'], {cwd: project, env})
    expect(result.code, result.stderr).to.equal(0)
    const json = JSON.parse(result.stdout)
    expect(json.name).to.match(/^backup-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/)
    expect(json.method).to.equal('builtin')
    expect(statSync(json.path).mode & 0o777).to.equal(0o600)
    const list = JSON.parse((await runCli(['db', 'backup:list', '--json'], {cwd: project, env})).stdout)
    expect(list.backups).to.have.length(1)
    expect(list.backups[0]).to.include({name: json.name, valid: true, compressed: false, includesSeeds: false})
    expect(list.backups[0].size).to.equal(statSync(json.path).size)
  })

  it('refuses a backup truncated at half its size, or with one byte changed, and leaves the database as it was', async () => {
    const made = JSON.parse((await runCli(['db', 'backup', '--name', 'good', '--json'], {cwd: project, env})).stdout)
    const size = statSync(made.path).size
    copyFileSync(made.path, join(backups(), 'half.nself-backup'))
    truncateSync(join(backups(), 'half.nself-backup'), Math.floor(size / 2))
    const altered = join(backups(), 'altered.nself-backup')
    copyFileSync(made.path, altered)
    const bytes = readFileSync(altered)
    bytes[Math.floor(size / 2)] ^= 0x01 // one bit of one byte in the middle of the data
    writeFileSync(altered, bytes)
    await client.query(`DELETE FROM events WHERE id % 2 = 0; UPDATE users SET bio = 'changed after the backup'`)
    const before = await databaseState(client)
    for (const [name, reason] of [
      ['half', /incomplete/],
      ['altered', /does not match its checksum/],
    ] as const) {
      const result = await runCli(['db', 'restore', '--name', name, '--force'], {cwd: project, env})
      expect(result.code, result.stderr).to.equal(5)
      expect(result.stderr).to.match(reason)
      expect(await databaseState(client)).to.deep.equal(before)
    }
    const list = JSON.parse((await runCli(['db', 'backup:list', '--json'], {cwd: project, env})).stdout)
    expect(list.backups.find((b: {name: string}) => b.name === 'half').valid).to.equal(false)
    expect(list.backups.find((b: {name: string}) => b.name === 'altered').valid).to.equal(true) // its manifest reads; --verify reads it all
    const verifiedRun = await runCli(['db', 'backup:list', '--verify', '--json'], {cwd: project, env})
    expect(verifiedRun.code, 'damaged backups present: --verify exits 5').to.equal(5)
    expect(verifiedRun.stderr).to.match(/2 of \d+ backups are not valid \(exit 5\)/)
    const verified = JSON.parse(verifiedRun.stdout)
    expect(verified.backups.find((b: {name: string}) => b.name === 'altered')).to.include({valid: false})
    expect(verified.backups.find((b: {name: string}) => b.name === 'good')).to.include({valid: true})
    // The good one still restores, and prints the row counts it checked.
    const restored = await runCli(['db', 'restore', '--name', 'good', '--force'], {cwd: project, env})
    expect(restored.code, restored.stderr).to.equal(0)
    expect(restored.stdout).to.match(/public\.events\s+20000 rows/)
    expect(await databaseState(client)).to.deep.equal(original)
  })

  it('kill -9 during a backup leaves nothing that backup:list shows as valid', async () => {
    const isolated = mkdtempSync(join(tmpdir(), 'nself-kill-'))
    const child = spawn(process.execPath, [BIN, 'db', 'backup', '--name', 'killed'], {
      cwd: isolated,
      env: cliEnv({...env, NSELF_PROJECT_DIR: isolated}),
      stdio: 'ignore',
    })
    const dir = join(isolated, 'database', 'backups')
    const deadline = Date.now() + 20_000
    // Kill as soon as the partial file has data in it (the backup is mid-write).
    while (Date.now() < deadline) {
      const partial = existsSync(dir) ? readdirSync(dir).find((f) => f.includes('.partial-')) : undefined
      if (partial && statSync(join(dir, partial)).size > 100) break
      await new Promise((r) => setTimeout(r, 2))
    }
    child.kill('SIGKILL')
    await new Promise((r) => child.on('close', r))
    expect(existsSync(join(dir, 'killed.nself-backup'))).to.equal(false)
    expect(readdirSync(dir).some((f) => f.includes('.partial-'))).to.equal(true) // it was killed mid-write
    const list = JSON.parse(
      (await runCli(['db', 'backup:list', '--json'], {cwd: isolated, env: {...env, NSELF_PROJECT_DIR: isolated}}))
        .stdout,
    )
    expect(list.backups.filter((b: {valid: boolean}) => b.valid)).to.deep.equal([])
    const restore = await runCli(['db', 'restore', '--force'], {
      cwd: isolated,
      env: {...env, NSELF_PROJECT_DIR: isolated},
    })
    expect(restore.code).to.equal(5)
    // The next backup clears the dead process's partial file.
    expect((await runCli(['db', 'backup'], {cwd: isolated, env: {...env, NSELF_PROJECT_DIR: isolated}})).code).to.equal(
      0,
    )
    expect(readdirSync(dir).some((f) => f.includes('.partial-'))).to.equal(false)
  })

  it('kill -9 during a restore leaves the database as it was (the server rolls the transaction back)', async () => {
    expect((await runCli(['db', 'backup', '--name', 'to-kill'], {cwd: project, env})).code).to.equal(0)
    await client.query(`DELETE FROM events WHERE id % 3 = 0`)
    const before = await databaseState(client)
    const child = spawn(process.execPath, [BIN, 'db', 'restore', '--name', 'to-kill', '--force'], {
      cwd: project,
      env: cliEnv({...env}),
      stdio: 'ignore',
    })
    const watcher = await db.connect()
    let caught = false
    try {
      // Kill while the restore is loading data: its tables are dropped and recreated by then.
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && !caught;) {
        const {rows} = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'nself db:restore' AND query LIKE 'COPY%'`,
        )
        caught = rows.length > 0
      }
      child.kill('SIGKILL')
      await new Promise((r) => child.on('close', r))
      for (let i = 0; i < 500; i++) {
        const {rows} = await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'nself db:restore'`)
        if (rows.length === 0) break
        await new Promise((r) => setTimeout(r, 10))
      }
    } finally {
      await watcher.end()
    }
    expect(caught, 'the restore was killed while it loaded data').to.equal(true)
    expect(await databaseState(client)).to.deep.equal(before)
  })

  it('--compress and --include-seeds are recorded, and restore --seeds puts the seed files back', async () => {
    const seedFile = join(project, 'database', 'seeds', 'development', 'users.json')
    mkdirSync(join(project, 'database', 'seeds', 'development'), {recursive: true})
    writeFileSync(seedFile, '[{"email": "x@example.com"}]\n')
    const made = await runCli(['db', 'backup', '--name', 'with-seeds', '--compress', '--include-seeds', '--json'], {
      cwd: project,
      env,
    })
    expect(made.code, made.stderr).to.equal(0)
    writeFileSync(seedFile, 'changed')
    const list = JSON.parse((await runCli(['db', 'backup:list', '--json'], {cwd: project, env})).stdout)
    expect(list.backups[0]).to.include({name: 'with-seeds', compressed: true, includesSeeds: true})
    const restored = await runCli(['db', 'restore', '--seeds', '--json', '--force'], {cwd: project, env})
    expect(restored.code, restored.stderr).to.equal(0)
    expect(JSON.parse(restored.stdout).name).to.equal('with-seeds') // the newest by default
    expect(readFileSync(seedFile, 'utf8')).to.equal('[{"email": "x@example.com"}]\n')
  })

  it('prunes backups older than DB_BACKUP_RETENTION_DAYS after each backup and with backup:prune, never the newest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nself-prune-'))
    const penv = {...env, NSELF_PROJECT_DIR: dir, DB_BACKUP_RETENTION_DAYS: '2'}
    const config = loadConfig({cwd: dir, env: penv})
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000)
    for (const [name, age] of [
      ['ten-days', 10],
      ['five-days', 5],
      ['one-day', 1],
    ] as const) {
      await createBackup(config, client, {name, now: daysAgo(age), tools: null, prune: false})
    }
    const names = async () => readdirSync(join(dir, 'database', 'backups')).sort()
    const dry = JSON.parse((await runCli(['db', 'backup:prune', '--dry-run', '--json'], {cwd: dir, env: penv})).stdout)
    expect(dry.pruned.map((b: {name: string}) => b.name)).to.deep.equal(['five-days', 'ten-days'])
    expect(await names()).to.have.length(3)
    const real = JSON.parse((await runCli(['db', 'backup:prune', '--json'], {cwd: dir, env: penv})).stdout)
    expect(real.pruned).to.have.length(2)
    expect(await names()).to.deep.equal(['one-day.nself-backup'])
    // Everything old: the newest still stays.
    const strict = {...penv, DB_BACKUP_RETENTION_DAYS: '1'}
    expect(
      JSON.parse((await runCli(['db', 'backup:prune', '--json'], {cwd: dir, env: strict})).stdout).pruned,
    ).to.deep.equal([])
    // A new backup prunes the then old one.
    const made = JSON.parse((await runCli(['db', 'backup', '--json'], {cwd: dir, env: strict})).stdout)
    expect(made.pruned).to.deep.equal(['one-day'])
    expect(await names()).to.deep.equal([`${made.name}.nself-backup`])
  })
})
