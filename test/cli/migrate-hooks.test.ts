import {expect} from 'chai'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {catalogFingerprint, makeProject, type TestProject} from '../helpers/migrations.js'

/**
 * The migration hooks fail closed on every path that applies or rolls back migrations, afterMigrate
 * learns what was attempted, and plugins add flags to core commands (the fixture adds
 * --update-fixture to migrate:up, as the Hasura plugin adds --update-hasura).
 */
describe('migration hooks: fail closed on every path, plugin flags @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let project: TestProject
  let env: Record<string, string>
  let log: string
  const records = () =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, {cwd: project.root, env: {...env, ...extra}})
  const fingerprint = async () => {
    const client = await db.connect()
    try {
      return await catalogFingerprint(client)
    } finally {
      await client.end()
    }
  }

  before(async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'nself-hooks-xdg-'))
    env = {XDG_DATA_HOME: join(xdg, 'data'), XDG_CONFIG_HOME: join(xdg, 'config'), XDG_CACHE_HOME: join(xdg, 'cache')}
    const link = await runCli(['plugins', 'link', join(ROOT, 'test/fixtures/plugins/hook-plugin'), '--no-install'], {
      env,
    })
    expect(link.code, link.stderr).to.equal(0)
  })
  beforeEach(async () => {
    db = await freshDatabase('nself_hooks')
    project = makeProject({
      '001_a.up.sql': 'CREATE TABLE a (id int);',
      '001_a.down.sql': 'DROP TABLE a;',
      '002_b.up.sql': 'CREATE TABLE b (id int);',
      '002_b.down.sql': 'DROP TABLE b;',
    })
    log = join(project.root, 'hooks.log')
    writeFileSync(log, '')
    env = {...env, ...db.env, NSELF_TEST_HOOK_LOG: log}
  })
  afterEach(async () => db.drop())

  it('a beforeMigrate hook that throws a plain Error refuses migrate:up, migrate:down and reset (exit 6, NSELF_REFUSED, plugin named)', async () => {
    const empty = await fingerprint()
    const up = await cli(['db', 'migrate:up', '--json'], {NSELF_TEST_HOOK_THROW: 'guard crashed: cannot read rules'})
    expect(up.code, up.stderr).to.equal(6)
    const error = JSON.parse(up.stdout).error
    expect(error.code).to.equal('NSELF_REFUSED')
    expect(error.message).to.equal('Refused by plugin nself-test-hook-plugin: guard crashed: cannot read rules')
    expect(await fingerprint()).to.deep.equal(empty)
    // afterMigrate does not fire after a refusal.
    expect(records().map((r) => r.hook)).to.deep.equal(['beforeMigrate'])

    expect((await cli(['db', 'migrate:up'])).code).to.equal(0)
    const applied = await fingerprint()
    const down = await cli(['db', 'migrate:down', '--force'], {NSELF_TEST_HOOK_THROW: 'guard crashed'})
    expect(down.code).to.equal(6)
    expect(down.stderr).to.include('Error: Refused by plugin nself-test-hook-plugin: guard crashed')
    const reset = await cli(['db', 'reset', '--force'], {NSELF_TEST_HOOK_THROW: 'guard crashed'})
    expect(reset.code).to.equal(6)
    expect(reset.stderr).to.include('Refused by plugin nself-test-hook-plugin: guard crashed')
    // A refused reset has dropped nothing.
    expect(await fingerprint()).to.deep.equal(applied)
  })

  it('a plugin whose beforeMigrate hook cannot be loaded refuses the run', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'nself-broken-guard-'))
    writeFileSync(
      join(broken, 'package.json'),
      JSON.stringify({
        name: 'nself-plugin-broken-guard',
        version: '1.0.0',
        type: 'module',
        oclif: {hooks: {beforeMigrate: './before.js'}},
      }),
    )
    writeFileSync(join(broken, 'before.js'), 'export default async function ( {\n') // a syntax error
    const xdg = mkdtempSync(join(tmpdir(), 'nself-hooks-xdg-'))
    const own = {...env, XDG_DATA_HOME: join(xdg, 'data')}
    expect((await runCli(['plugins', 'link', broken, '--no-install'], {env: own})).code).to.equal(0)
    const up = await runCli(['db', 'migrate:up', '--json'], {cwd: project.root, env: own})
    expect(up.code, up.stderr).to.equal(6)
    const error = JSON.parse(up.stdout).error
    expect(error.code).to.equal('NSELF_REFUSED')
    expect(error.message).to.match(
      /^Refused by plugin nself-plugin-broken-guard: its beforeMigrate hook cannot be loaded: /,
    )
    expect(error.hint).to.include('nself plugins uninstall')
    expect(await fingerprint()).to.deep.equal([])
  })

  it('DB_AUTO_MIGRATE after db run goes through the hooks too, and a refusal applies nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nself-hooks-auto-'))
    mkdirSync(join(dir, 'database', 'migrations'), {recursive: true})
    copyFileSync(join(ROOT, 'test/fixtures/initial.dbml'), join(dir, 'database', 'schema.dbml'))
    writeFileSync(join(dir, '.env.local'), 'DB_AUTO_MIGRATE=true\n')
    const run = await runCli(['db', 'run'], {cwd: dir, env: {...env, NSELF_TEST_HOOK_VETO_ERROR: 'frozen'}})
    expect(run.code, run.stderr).to.equal(6)
    expect(run.stderr).to.include('Refused by plugin nself-test-hook-plugin: frozen')
    expect(run.stderr.split('Error: ').length - 1, 'reported once, not again by db run').to.equal(1)
    expect(run.stdout).to.match(/Wrote database\/migrations\/001_/)
    expect(await fingerprint()).to.deep.equal([])
    expect(records().map((r) => [r.hook, r.command])).to.deep.equal([['beforeMigrate', 'db:migrate:up']])
  })

  it('afterMigrate gets the attempted migrations, what applied and the error when a migration fails', async () => {
    project.write({'002_b.up.sql': 'CREATE TABLE b (id int);\nSELECT no_such_function();'})
    const up = await cli(['db', 'migrate:up'])
    expect(up.code).to.equal(1)
    const [before, after] = records()
    expect(before.migrations.map((m: {version: string}) => m.version)).to.deep.equal(['001', '002'])
    expect(after.hook).to.equal('afterMigrate')
    expect(after.migrations).to.deep.equal(before.migrations)
    expect(after.applied.map((m: {version: string}) => m.version)).to.deep.equal(['001'])
    expect(after.error).to.match(/no_such_function/)
  })

  it('the hooks fire also when nothing is pending (migrations: [])', async () => {
    expect((await cli(['db', 'migrate:up'])).code).to.equal(0)
    writeFileSync(log, '')
    const again = await cli(['db', 'migrate:up'])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stdout).to.include('Nothing to apply.')
    expect(records().map((r) => [r.hook, r.migrations.length, r.applied?.length])).to.deep.equal([
      ['beforeMigrate', 0, undefined],
      ['afterMigrate', 0, 0],
    ])
  })

  it('an afterMigrate error with an exit code ends the command with it after the report; a plain Error is a warning', async () => {
    const failing = await cli(['db', 'migrate:up', '--steps', '1'], {NSELF_TEST_AFTER_EXIT: '7'})
    expect(failing.code).to.equal(7)
    expect(failing.stdout).to.include('Applied 1 migration(s)')
    expect(failing.stderr).to.include(
      'Error: afterMigrate hook of nself-test-hook-plugin (1 migration(s) applied: they stay so): fixture sync failed',
    )
    expect((await db.query("SELECT to_regclass('a')::text AS t")).rows[0].t).to.equal('a')
    const json = await cli(['db', 'migrate:up', '--json'], {NSELF_TEST_AFTER_EXIT: '7'})
    expect(json.code).to.equal(7)
    expect(JSON.parse(json.stdout).error).to.include({code: 'NSELF_FIXTURE_SYNC', exit: 7})
    const warned = await cli(['db', 'migrate:down', '--force'], {NSELF_TEST_AFTER_THROW: 'notifier down'})
    expect(warned.code, warned.stderr).to.equal(0)
    expect(warned.stderr).to.include('Warning: afterMigrate hook of nself-test-hook-plugin failed: notifier down')
  })

  it('a plugin flag is accepted, shown in --help, and handed to both hooks as options.flags (env fallback from .env)', async () => {
    const help = await cli(['db', 'migrate:up', '--help'])
    expect(help.stdout.replace(/\s+/g, ' ')).to.include(
      'PLUGIN FLAGS --[no-]update-fixture Test flag added by the hook fixture. Also FIXTURE_AUTO_UPDATE=true. (plugin nself-test-hook-plugin)',
    )
    expect((await cli(['db', 'migrate:up', '--steps', '1', '--update-fixture'])).code).to.equal(0)
    writeFileSync(join(project.root, '.env.local'), 'FIXTURE_AUTO_UPDATE=true\n')
    expect((await cli(['db', 'migrate:up'])).code).to.equal(0)
    expect((await cli(['db', 'migrate:down', '--force', '--all'])).code).to.equal(0)
    expect(records().map((r) => [r.hook, r.command, r.flags])).to.deep.equal([
      ['beforeMigrate', 'db:migrate:up', {'update-fixture': true}],
      ['afterMigrate', 'db:migrate:up', {'update-fixture': true}],
      ['beforeMigrate', 'db:migrate:up', {'update-fixture': true}],
      ['afterMigrate', 'db:migrate:up', {'update-fixture': true}],
      ['beforeMigrate', 'db:migrate:down', {}],
      ['afterMigrate', 'db:migrate:down', {}],
    ])
    // Not declared for migrate:down: an unknown flag there.
    expect((await cli(['db', 'migrate:down', '--update-fixture'])).code).to.equal(2)
  })
})

describe('a plugin flag without its plugin', () => {
  it('--update-hasura without the Hasura plugin is a usage error naming the plugin', async () => {
    const {checkMissingPluginFlags} = await import('../../src/cli/plugin-flags.js')
    expect(() => checkMissingPluginFlags('db:migrate:up', ['--update-hasura'], new Set())).to.throw(
      '--update-hasura is added to this command by the plugin @nself/plugin-hasura, which is not installed',
    )
    expect(() =>
      checkMissingPluginFlags('db:migrate:up', ['--update-hasura'], new Set(['update-hasura'])),
    ).not.to.throw()
  })
})
