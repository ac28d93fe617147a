import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freshDatabase, type TestDatabase} from '../../helpers/db.js'
import {runCli} from '../../helpers/cli.js'
import {freePort} from '../../../src/db/embedded.js'

describe('nself db ping / info / reconnect @db', () => {
  let db: TestDatabase
  const project = mkdtempSync(join(tmpdir(), 'nself-ping-'))
  before(async () => (db = await freshDatabase()))
  after(async () => db.drop())

  it('answers with the server version and round-trip time', async () => {
    const result = await runCli(['db', 'ping', '--json'], {cwd: project, env: db.env})
    expect(result.code, result.stderr).to.equal(0)
    const json = JSON.parse(result.stdout)
    expect(json.ok).to.equal(true)
    expect(json.serverVersion).to.match(/^\d+\.\d+/)
    expect(json.roundTripMs).to.be.a('number')
  })

  it('prints one clear line and exit 4 for a closed port, within 10 s', async () => {
    const port = await freePort()
    const result = await runCli(['db', 'ping'], {
      cwd: project,
      env: {DATABASE_URL: `postgres://postgres:pw-closed-port@127.0.0.1:${port}/x`},
    })
    expect(result.code).to.equal(4)
    expect(result.stderr).to.match(/^Error: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: connection refused$/m)
    expect(result.stderr).not.to.include('pw-closed-port')
    expect(result.stderr).not.to.match(/\n\s+at /) // no stack trace
    expect(result.ms).to.be.below(10_000)
  })

  it('reports a wrong password without printing it', async () => {
    const url = new URL(db.url)
    url.password = 'Wrong-Secret-123'
    const result = await runCli(['db', 'ping'], {cwd: project, env: {DATABASE_URL: url.toString()}})
    if (result.code === 0) {
      // A server configured with trust authentication accepts any password: nothing to check then.
      expect(result.stdout).to.include('ok')
    } else {
      expect(result.code).to.equal(4)
      expect(result.stderr).to.match(/password authentication failed for user/)
    }
    expect(result.stdout + result.stderr).not.to.include('Wrong-Secret-123')
  })

  it('reports a missing database with what to do', async () => {
    const url = new URL(db.url)
    url.pathname = '/nself_no_such_db'
    const result = await runCli(['db', 'ping', '--json'], {cwd: project, env: {DATABASE_URL: url.toString()}})
    expect(result.code).to.equal(4)
    const json = JSON.parse(result.stdout)
    expect(json.error.message).to.equal(`database "nself_no_such_db" does not exist at ${url.hostname}:${url.port}`)
    expect(json.error.exit).to.equal(4)
  })

  it('info masks the password in text, --json and --debug output', async () => {
    const password = decodeURIComponent(new URL(db.url).password)
    for (const args of [
      ['db', 'info'],
      ['db', 'info', '--json'],
      ['db', 'info', '--debug'],
    ]) {
      const result = await runCli(args, {cwd: project, env: {...db.env, NSELF_DEBUG: 'true'}})
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stdout).to.include(db.name)
      if (password) expect(result.stdout + result.stderr).not.to.include(password)
    }
    const json = JSON.parse((await runCli(['db', 'info', '--json'], {cwd: project, env: db.env})).stdout)
    expect(json.mode).to.equal('external')
    expect(json.password).to.be.oneOf(['********', '(none)'])
    expect(json.sizeBytes).to.be.above(0)
  })

  it('reconnect ends sessions that an earlier nself process left idle in a transaction', async () => {
    const stale = await db.connect()
    await stale.query("SET application_name = 'nself db migrate:up'")
    await stale.query('BEGIN')
    await stale.query('SELECT 1')
    const {rows} = await stale.query('SELECT pg_backend_pid() AS pid')
    stale.on('error', () => {})
    const result = await runCli(['db', 'reconnect', '--json'], {cwd: project, env: db.env})
    expect(result.code, result.stderr).to.equal(0)
    expect(JSON.parse(result.stdout).endedSessions).to.deep.equal([rows[0].pid])
    const left = await db.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [rows[0].pid])
    expect(left.rows[0].n).to.equal(0)
    await stale.end().catch(() => {})
  })
})
