import {expect} from 'chai'
import {existsSync, mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../../helpers/cli.js'

// No database is configured and the folder is no project: nothing may be started or created.
describe('outside a project, and unknown commands', function () {
  this.timeout(60_000)
  const folder = mkdtempSync(join(tmpdir(), 'nself-not-a-project-'))

  it('refuses db status and db start with exit 3 and runs no initdb', async () => {
    for (const args of [
      ['db', 'status'],
      ['db', 'start'],
      ['db', 'ping', '--json'],
    ]) {
      const result = await runCli(args, {cwd: folder})
      expect(result.code, args.join(' ')).to.equal(3)
      const text = args.includes('--json') ? JSON.parse(result.stdout).error.message : result.stderr
      expect(text).to.include('not an nself project (no database/schema.dbml here or above)')
      expect(result.stderr).to.not.include('Initialising')
    }
    expect(readdirSync(folder)).to.deep.equal([])
    expect(existsSync(join(folder, '.nself'))).to.equal(false)
  })

  it('answers an unknown command with "did you mean", exit 2, and one JSON object under --json', async () => {
    const typo = await runCli(['db', 'statsu'], {cwd: folder})
    expect(typo.code).to.equal(2)
    expect(typo.stderr).to.include('Error: command "db statsu" not found. Did you mean "db status"')
    const json = await runCli(['db', 'nosuch', '--json'], {cwd: folder})
    expect(json.code).to.equal(2)
    expect(JSON.parse(json.stdout)).to.deep.equal({
      error: {
        code: 'NSELF_USAGE',
        message: 'command "db nosuch" not found',
        exit: 2,
        hint: 'nself db --help lists the commands.',
      },
    })
    const nested = await runCli(['db', 'migrate', 'upp'], {cwd: folder})
    expect(nested.stderr).to.include('Did you mean "db migrate up"')
  })
})
