import {expect} from 'chai'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createReporter, withProgress, type ReporterOptions} from '../../src/cli/progress.js'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {hasScript, runInTerminal} from '../helpers/tty.js'

function plain(options: Partial<ReporterOptions> = {}) {
  const out: string[] = []
  const err: string[] = []
  const reporter = createReporter({
    json: false,
    verbose: false,
    debug: false,
    terminal: false,
    log: (l) => out.push(l),
    logToStderr: (l) => err.push(l),
    debugLog: (l) => err.push(`[debug] ${l}`),
    ...options,
  })
  return {reporter, out, err}
}

const steps = [
  {id: '1', title: 'apply 001_a'},
  {id: '2', title: 'apply 002_b'},
  {id: '3', title: 'apply 003_c'},
]

describe('progress reporter (plain lines)', () => {
  it('prints one line per settled step, once; notices go to stderr', async () => {
    const {reporter, out, err} = plain()
    await reporter.start(steps)
    reporter.running('1', 'apply 001_a: details')
    reporter.done('1', 'apply 001_a (3 ms)')
    reporter.done('1', 'apply 001_a (again)')
    reporter.skipped('2', 'skipped  002_b: unchanged')
    reporter.notice('Note: something')
    reporter.detail('-- 003_c:1\nSELECT 1;')
    await reporter.finish()
    expect(out).to.deep.equal(['✔ apply 001_a (3 ms)', '↓ skipped  002_b: unchanged', '-- 003_c:1\nSELECT 1;'])
    expect(err).to.deep.equal(['Note: something'])
  })

  it('--verbose shows each step as it starts; --json prints nothing on stdout but keeps notices', async () => {
    const verbose = plain({verbose: true})
    await verbose.reporter.start(steps)
    verbose.reporter.running('1', 'apply 001_a: 001_a.up.sql, 1 statement(s)')
    verbose.reporter.running('2')
    expect(verbose.out).to.deep.equal(['… apply 001_a: 001_a.up.sql, 1 statement(s)', '… apply 002_b'])
    const json = plain({json: true})
    await json.reporter.start(steps)
    json.reporter.done('1', 'apply 001_a (1 ms)')
    json.reporter.detail('SELECT 1;')
    json.reporter.notice('a notice')
    expect(json.out).to.deep.equal([])
    expect(json.err).to.deep.equal(['a notice'])
  })

  it('withProgress marks the step that was running when the work failed, and passes the error on', async () => {
    const {reporter, out} = plain()
    const failure = new Error('bad row')
    const run = withProgress(reporter, async () => {
      await reporter.start(steps)
      reporter.running('1')
      reporter.done('1', 'apply 001_a (1 ms)')
      reporter.running('2')
      throw failure
    })
    let caught: unknown
    await run.catch((error) => (caught = error))
    expect(caught).to.equal(failure)
    expect(out).to.deep.equal(['✔ apply 001_a (1 ms)', '✖ apply 002_b'])
  })
})

describe('progress in a terminal (listr2): migrate up, seed and reset report the same way @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let root: string
  before(async () => {
    db = await freshDatabase()
    root = mkdtempSync(join(tmpdir(), 'nself-progress-'))
    mkdirSync(join(root, 'database', 'migrations'), {recursive: true})
    mkdirSync(join(root, 'database', 'seeds', 'development'), {recursive: true})
    writeFileSync(
      join(root, 'database', 'migrations', '001_items.up.sql'),
      'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);\n',
    )
    writeFileSync(join(root, 'database', 'migrations', '001_items.down.sql'), 'DROP TABLE items;\n')
    writeFileSync(
      join(root, 'database', 'migrations', '002_tags.up.sql'),
      'CREATE TABLE tags (id serial PRIMARY KEY, item_id int REFERENCES items(id));\n',
    )
    writeFileSync(join(root, 'database', 'migrations', '002_tags.down.sql'), 'DROP TABLE tags;\n')
    writeFileSync(
      join(root, 'database', 'seeds', 'development', 'items.json'),
      JSON.stringify([{name: 'first'}, {name: 'second'}]),
    )
  })
  after(async () => db?.drop())

  it('shows each migration and each seed file done, and exits 0', async function () {
    if (!hasScript) this.skip() // reason: no util-linux `script` to provide a terminal
    const env = {...db.env, NSELF_PROJECT_DIR: root}
    const up = await runInTerminal(['db', 'migrate:up'], {cwd: root, env, answers: [], columns: 120})
    expect(up.code, up.output).to.equal(0)
    expect(up.output)
      .to.match(/✔ apply 001_items \(\d+ ms\)/)
      .and.match(/✔ apply 002_tags \(\d+ ms\)/)
    expect(up.output).to.include('◼ apply 002_tags') // listr2's mark for a waiting step: the live display, not plain lines
    const seeded = await runInTerminal(['db', 'seed'], {cwd: root, env, answers: [], columns: 120})
    expect(seeded.code, seeded.output).to.equal(0)
    expect(seeded.output).to.match(/✔ loaded {3}items\.json → public\.items: 2 rows in \d+ ms/)
    const again = await runInTerminal(['db', 'seed'], {cwd: root, env, answers: [], columns: 120})
    expect(again.output).to.match(/skipped {2}items\.json: unchanged/)
    const reset = await runInTerminal(['db', 'reset', '--force', '--seed'], {cwd: root, env, answers: [], columns: 120})
    expect(reset.code, reset.output).to.equal(0)
    expect(reset.output)
      .to.match(/✔ apply 002_tags \(\d+ ms\)/)
      .and.match(/✔ loaded {3}items\.json → public\.items: 2 rows/)
    expect((await db.query('SELECT count(*)::int AS n FROM items')).rows[0].n).to.equal(2)
  })

  it('without a terminal, the same lines come as plain text', async () => {
    const env = {...db.env, NSELF_PROJECT_DIR: root}
    const reset = await runCli(['db', 'reset', '--force', '--seed'], {cwd: root, env})
    expect(reset.code, reset.stderr).to.equal(0)
    expect(reset.stdout).to.match(
      /^✔ apply 001_items \(\d+ ms\)\n✔ apply 002_tags \(\d+ ms\)\n✔ loaded {3}items\.json → public\.items: 2 rows in \d+ ms\n/m,
    )
  })
})
