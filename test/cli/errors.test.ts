import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RefusedError, VetoError, describeError} from '@nself/sdk'
import {runCli} from '../helpers/cli.js'

// The exit-code table in README.md: 2 usage, 3 config, 4 connection, 5 validation, 6 refused, 1 failed.
describe('errors and exit codes (e2e)', () => {
  const project = mkdtempSync(join(tmpdir(), 'nself-errors-'))
  const closed = {DATABASE_URL: 'postgres://postgres:Secret-XYZ-99@127.0.0.1:1/app'}

  it('usage error: exit 2, one line, no stack trace; --json gives one small object', async () => {
    const text = await runCli(['db', 'ping', '--no-such-flag'], {cwd: project})
    expect(text.code).to.equal(2)
    expect(text.stderr.trim()).to.equal('Error: Nonexistent flag: --no-such-flag')
    const json = await runCli(['db', 'ping', '--no-such-flag', '--json'], {cwd: project})
    expect(json.code).to.equal(2)
    expect(JSON.parse(json.stdout)).to.deep.equal({
      error: {code: 'NSELF_USAGE', message: 'Nonexistent flag: --no-such-flag', exit: 2},
    })
  })

  it('config error: exit 3 naming the variable and file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nself-errors-'))
    writeFileSync(join(dir, '.env.local'), 'DB_MIGRATION_LOCK_TIMEOUT=later\n')
    const result = await runCli(['db', 'ping', '--json'], {cwd: dir})
    expect(result.code).to.equal(3)
    const {error} = JSON.parse(result.stdout)
    expect(error.code).to.equal('NSELF_CONFIG_INVALID')
    expect(error.message).to.include('DB_MIGRATION_LOCK_TIMEOUT="later" in .env.local:1')
    expect(error.hint).to.include('.env.local')
  })

  it('connection error: exit 4 with a hint, and the password nowhere', async () => {
    const result = await runCli(['db', 'info'], {cwd: project, env: closed})
    expect(result.code).to.equal(4)
    expect(result.stderr).to.match(/^Error: cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused\nHint: /)
    expect(result.stdout + result.stderr).not.to.include('Secret-XYZ-99')
  })

  it('--debug adds the stack trace, still without the password', async () => {
    const result = await runCli(['db', 'ping', '--debug'], {cwd: project, env: closed})
    expect(result.code).to.equal(4)
    expect(result.stderr).to.match(/\n\s+at /)
    expect(result.stderr).not.to.include('Secret-XYZ-99')
  })

  it('an unknown command exits 2', async () => {
    const result = await runCli(['db', 'no-such-command'], {cwd: project})
    expect(result.code).to.equal(2)
    expect(result.stderr).to.include('Error: command "db no-such-command" not found')
    expect(result.stderr).to.include('Hint: nself db --help lists the commands.')
  })
})

describe("VetoError, for plugins' beforeMigrate hooks", () => {
  it("is a refusal: exit 6, NSELF_REFUSED, the plugin's message", () => {
    const veto = new VetoError('change freeze until Monday')
    expect(veto).to.be.instanceOf(RefusedError)
    expect(describeError(veto)).to.deep.equal({code: 'NSELF_REFUSED', message: 'change freeze until Monday', exit: 6})
  })

  it("keeps exit 6 and its code when thrown from a plugin's own copy of the SDK (instanceof fails there)", () => {
    const {code, oclif} = new VetoError('x')
    const foreign = Object.assign(new Error('no Friday deploys'), {code, oclif})
    expect(describeError(foreign)).to.deep.equal({code: 'NSELF_REFUSED', message: 'no Friday deploys', exit: 6})
  })
})

describe('help and version (e2e)', () => {
  it("prints the version without loading oclif, in oclif's format", async () => {
    const result = await runCli(['--version'])
    expect(result.stdout.trim()).to.match(/^nself\/\d+\.\d+\.\d+ linux-x64 node-v\d+/)
  })

  it('db --help lists the db commands, the same from cache as freshly rendered', async () => {
    const fresh = await runCli(['db', '--help'], {env: {NSELF_HELP_CACHE: 'false'}})
    const first = await runCli(['db', '--help'])
    const cached = await runCli(['db', '--help'])
    expect(fresh.code).to.equal(0)
    for (const line of ['db ping', 'db info', 'db reconnect', 'db start', 'db stop'])
      expect(fresh.stdout).to.include(line)
    expect(first.stdout).to.equal(fresh.stdout)
    expect(cached.stdout).to.equal(fresh.stdout)
  })

  it('every command has help with examples', async () => {
    for (const id of ['db ping', 'db info', 'db reconnect', 'init']) {
      const result = await runCli([...id.split(' '), '--help'])
      expect(result.code, id).to.equal(0)
      expect(result.stdout, id).to.include('EXAMPLES')
      expect(result.stdout, id).to.include(`$ nself ${id}`)
    }
  })
})
