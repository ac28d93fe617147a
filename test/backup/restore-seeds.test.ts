/**
 * `db restore --seeds` writes files into the project: only plain files with mode 0644 or 0600,
 * never through a link already in the seeds folder, whatever the backup's seeds.json says.
 */
import {expect} from 'chai'
import {lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {craftBackup} from '../helpers/backup-craft.js'

describe('db restore --seeds: modes and links from the backup are not trusted @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let client: pg.Client
  let project: string
  let env: Record<string, string>
  const seeds = () => join(project, 'database', 'seeds', 'development')
  const backups = () => join(project, 'database', 'backups')

  before(async () => {
    db = await freshDatabase()
    client = await db.connect()
    await client.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)')
    project = mkdtempSync(join(tmpdir(), 'nself-restore-seeds-'))
    mkdirSync(join(project, '.nself'))
    mkdirSync(seeds(), {recursive: true})
    writeFileSync(join(seeds(), 'a.sql'), 'INSERT INTO t VALUES (3);\n')
    env = {...db.env, NSELF_PG_BIN_DIR: mkdtempSync(join(tmpdir(), 'nself-no-pg-'))}
    const made = await runCli(['db', 'backup', '--name', 'plain', '--include-seeds', '--json'], {cwd: project, env})
    expect(made.code, made.stderr).to.equal(0)
    // The crafted one: a setuid, world-writable seed, and a seed whose path is a link in the project.
    await craftBackup(join(backups(), 'plain.nself-backup'), join(backups(), 'crafted.nself-backup'), (name, data) => {
      if (name !== 'seeds.json') return data
      const body = Buffer.from('SELECT 1;\n').toString('base64')
      return Buffer.from(
        JSON.stringify([
          {path: 'development/a.sql', mode: 0o644, data: body},
          {path: 'development/setuid.sh', mode: 0o6777, data: body},
          {path: 'development/linked.sql', mode: 0o644, data: body},
        ]),
      )
    })
  })
  after(async () => {
    await client.end()
    await db.drop()
    rmSync(project, {recursive: true, force: true})
  })

  it('refuses to write through a link already in the seeds folder, before changing anything', async () => {
    const victim = join(project, 'outside.txt')
    writeFileSync(victim, 'precious\n')
    symlinkSync(victim, join(seeds(), 'linked.sql'))
    await client.query('INSERT INTO t VALUES (99)')
    try {
      const result = await runCli(['db', 'restore', '--name', 'crafted', '--seeds', '--force'], {cwd: project, env})
      expect(result.code, result.stderr).to.equal(6)
      expect(result.stderr).to.match(/linked\.sql is a symbolic link/)
      expect(readFileSync(victim, 'utf8')).to.equal('precious\n')
      // Refused before the restore: the row added after the backup is still there.
      expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n).to.equal(3)
    } finally {
      rmSync(join(seeds(), 'linked.sql'))
      await client.query('DELETE FROM t WHERE id = 99')
    }
  })

  it('writes every seed as a plain file with mode 0644 or 0600, never setuid or executable', async () => {
    const result = await runCli(['db', 'restore', '--name', 'crafted', '--seeds', '--force'], {cwd: project, env})
    expect(result.code, result.stderr).to.equal(0)
    const st = lstatSync(join(seeds(), 'setuid.sh'))
    expect(st.isFile()).to.equal(true)
    expect(st.mode & 0o7777).to.equal(0o644)
    expect(statSync(join(seeds(), 'linked.sql')).mode & 0o7777).to.equal(0o644)
    expect(readFileSync(join(seeds(), 'a.sql'), 'utf8')).to.equal('SELECT 1;\n')
  })
})
