import {expect} from 'chai'
import {mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'
import {createBackup, defaultBackupName, findBackup} from '../../src/backup/index.js'
import {loadConfig} from '../../src/config/index.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'

describe('which backup a plain restore picks @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let client: pg.Client
  const project = mkdtempSync(join(tmpdir(), 'nself-default-backup-'))
  mkdirSync(join(project, '.nself'))
  before(async () => {
    db = await freshDatabase()
    client = await db.connect()
    await client.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)')
  })
  after(async () => {
    await client.end()
    await db.drop()
  })

  it('never an automatic pre-… snapshot, even when it is the newest; says so when there is nothing else', async () => {
    const config = loadConfig({cwd: project, env: {DATABASE_URL: db.url}})
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute))
    await createBackup(config, client, {name: defaultBackupName(at(1), 'pre-restore'), prune: false, tools: null})
    let error: (Error & {exit?: number; hint?: string}) | undefined
    try {
      await findBackup(config.backupDir)
    } catch (caught) {
      error = caught as Error & {exit?: number}
    }
    expect(error?.exit).to.equal(5)
    expect(error?.message).to.match(
      /no backup .* to restore by default: only automatic snapshots \(pre-restore-2026-01-01-12-01-00/,
    )
    expect(error?.hint).to.include('--name pre-restore-2026-01-01-12-01-00')

    await createBackup(config, client, {now: at(2), prune: false, tools: null})
    await createBackup(config, client, {name: defaultBackupName(at(3), 'pre-restore'), prune: false, tools: null})
    await createBackup(config, client, {name: defaultBackupName(at(4), 'pre-reset'), prune: false, tools: null})
    expect((await findBackup(config.backupDir)).name).to.equal('backup-2026-01-01-12-02-00')
    expect((await findBackup(config.backupDir, 'pre-reset-2026-01-01-12-04-00')).name).to.equal(
      'pre-reset-2026-01-01-12-04-00',
    )
  })
})
