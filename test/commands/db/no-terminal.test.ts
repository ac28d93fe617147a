import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../../helpers/cli.js'

// The CLI's stdin and stdout are pipes here: no terminal, so no prompt may be drawn.
describe('prompts without a terminal', function () {
  this.timeout(60_000)
  const project = mkdtempSync(join(tmpdir(), 'nself-no-tty-'))
  writeFileSync(join(project, '.env.local'), '')

  it('db restore --interactive refuses with exit 6 and names the flag to pass, in text and JSON', async () => {
    const text = await runCli(['db', 'restore', '--interactive'], {cwd: project})
    expect(text.code).to.equal(6)
    expect(text.stderr).to.equal(
      'Error: cannot ask "Restore which backup?" without a terminal\nHint: Pass --name NAME (nself db backup:list shows the names) instead.\n',
    )
    const json = await runCli(['db', 'restore', '--interactive', '--json'], {cwd: project})
    expect(json.code).to.equal(6)
    expect(JSON.parse(json.stdout).error).to.include({code: 'NSELF_NO_TERMINAL', exit: 6})
  })
})
