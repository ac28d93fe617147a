import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {createBlog} from '../helpers/blog.js'

/** A real full disk: a 1 MB tmpfs (needs root, as CI runs). */
function mountTinyDisk(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'nself-full-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', dir], {stdio: 'ignore'})
    return dir
  } catch {
    rmSync(dir, {recursive: true, force: true})
    return undefined
  }
}

describe('nself db backup on a full disk @db', function () {
  this.timeout(180_000)
  let db: TestDatabase
  let small: TestDatabase
  let client: pg.Client
  let disk: string | undefined
  const project = mkdtempSync(join(tmpdir(), 'nself-disk-full-'))
  mkdirSync(join(project, '.nself'))

  before(async function () {
    disk = mountTinyDisk()
    if (!disk) {
      console.log('      (skipped: cannot mount a 1 MB tmpfs here; it needs root and CAP_SYS_ADMIN)')
      this.skip()
    }
    db = await freshDatabase()
    client = await db.connect()
    await createBlog(client, 20_000) // several MB: more than the disk holds
    small = await freshDatabase()
    await small.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)')
  })
  after(async () => {
    if (disk) execFileSync('umount', [disk])
    await client?.end()
    await db?.drop()
    await small?.drop()
  })

  const noPg = mkdtempSync(join(tmpdir(), 'nself-no-pg-'))
  for (const [path, extra] of [
    ['built-in', {NSELF_PG_BIN_DIR: noPg}],
    ['pg_dump', {}],
  ] as const) {
    it(`${path} path: exit 1, "no space left on device in DIR: N MB needed", no partial file, older backup untouched, logged`, async () => {
      const env = {DB_BACKUP_LOCATION: disk!, ...extra}
      const older = await runCli(['db', 'backup', '--name', `older-${path}`, '--json'], {
        cwd: project,
        env: {...small.env, ...env},
      })
      expect(older.code, older.stderr).to.equal(0)
      const olderBytes = readFileSync(JSON.parse(older.stdout).path)

      const text = await runCli(['db', 'backup'], {cwd: project, env: {...db.env, ...env}})
      expect(text.code, text.stderr).to.equal(1)
      expect(text.stderr).to.match(
        new RegExp(`^Error: no space left on device in ${disk}: about \\d+ MB needed, [\\d.]+ MB free\\n`),
      )
      expect(text.stderr).to.not.match(/\n\s+at /) // no stack trace
      const json = await runCli(['db', 'backup', '--json'], {cwd: project, env: {...db.env, ...env}})
      expect(json.code).to.equal(1)
      expect(JSON.parse(json.stdout).error).to.include({code: 'NSELF_DISK_FULL', exit: 1})

      expect(readdirSync(disk!).filter((f) => f.includes('.partial'))).to.deep.equal([])
      expect(readFileSync(join(disk!, `older-${path}.nself-backup`)).equals(olderBytes)).to.equal(true)
      const logs = JSON.parse((await runCli(['logs', 'db', '--json', '--lines', '1'], {cwd: project})).stdout)
      const last = (Array.isArray(logs) ? logs : logs.entries).at(-1)
      expect(last).to.include({command: 'db:backup', outcome: 'error', exit: 1, code: 'NSELF_DISK_FULL'})
    })
  }
})
