import {expect} from 'chai'
import {execFile, execFileSync} from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {startRegistry, type TestRegistry} from '../helpers/registry.js'

const exec = promisify(execFile)
const CSV_PARSE = join(ROOT, 'test/fixtures/npm/csv-parse-5.5.6.tgz')
const NAME = 'nself-plugin-csvdemo'

/** A fenced block of docs/plugins.md marked `<!-- example: NAME -->`: the guide's examples are what this test runs. */
function docExample(name: string): string {
  const guide = readFileSync(join(ROOT, 'docs/plugins.md'), 'utf8')
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(guide)
  if (!match) throw new Error(`docs/plugins.md has no example "${name}"`)
  return match[1]
}

/**
 * The plugin guide end to end, as a third party: a plugin made by `nself plugins new` outside the
 * repository, its seed loader replaced by the guide's CSV loader (csv-parse), with the scaffold's
 * command and DROP TABLE guard; installed by link, by file: tarball and by name from a registry on
 * 127.0.0.1 (verdaccio, no uplinks: csv-parse is published there, @nself/sdk never is nor is asked
 * for); each way it seeds, runs its command, guards migrations, and uninstalls cleanly. Nothing touches
 * the real user: HOME, XDG folders and the npm cache are temporary.
 */
describe('a third-party plugin from nself plugins new: link, file: and registry installs @db', function () {
  this.timeout(240_000)
  let tmp: string
  let registry: TestRegistry
  let db: TestDatabase
  let env: Record<string, string>
  let plugin: string
  let project: string
  let tarball: string
  const dataDir = () => join(tmp, 'xdg-data', 'nself')
  const nself = (args: string[], extra: Record<string, string> = {}, cwd = project): Promise<CliResult> =>
    runCli(args, {cwd, env: {...env, ...extra}, timeoutMs: 120_000})
  const npm = (args: string[], cwd: string) =>
    exec('npm', args, {cwd, env: {...process.env, ...env, NODE_ENV: ''}, encoding: 'utf8'})

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nself-3p-'))
    registry = await startRegistry(join(tmp, 'registry'))
    db = await freshDatabase('nself_3p')
    mkdirSync(join(tmp, 'home'))
    env = {
      ...db.env,
      HOME: join(tmp, 'home'),
      XDG_DATA_HOME: join(tmp, 'xdg-data'),
      XDG_CONFIG_HOME: join(tmp, 'xdg-config'),
      XDG_CACHE_HOME: join(tmp, 'xdg-cache'),
      npm_config_cache: join(tmp, 'npm-cache'),
      npm_config_userconfig: registry.npmrc,
      npm_config_registry: registry.url,
      NSELF_NPM_REGISTRY: registry.url,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    }
    await npm(['publish', CSV_PARSE], tmp)

    // The author's side, outside the repository.
    const work = join(tmp, 'work')
    mkdirSync(work)
    const made = await nself(['plugins', 'new', NAME, '--format', 'csv'], {}, work)
    expect(made.code, made.stderr).to.equal(0)
    plugin = join(work, NAME)
    writeFileSync(join(plugin, 'src/hooks/seed-loader.ts'), docExample('csv-seed-loader'))
    writeFileSync(join(plugin, 'test/seed-loader.test.ts'), docExample('csv-seed-loader-test'))
    const pjson = JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8'))
    pjson.dependencies = {'csv-parse': '^5.5.6'}
    writeFileSync(join(plugin, 'package.json'), JSON.stringify(pjson, null, 2))
    installOffline(plugin)
    await npm(['run', 'build'], plugin)
    const tests = await npm(['test'], plugin)
    expect(tests.stdout).to.match(/# pass 6\n# fail 0/)
    // Released once: the same tarball goes to file: and to the registry.
    const packed = await npm(['pack', '--silent'], plugin)
    tarball = join(plugin, packed.stdout.trim().split('\n').at(-1)!)
    await npm(['publish', tarball], tmp)

    project = join(tmp, 'project')
    mkdirSync(join(project, 'database/migrations'), {recursive: true})
    mkdirSync(join(project, 'database/seeds/development'), {recursive: true})
    writeFileSync(join(project, '.env.local'), '')
    writeFileSync(
      join(project, 'database/migrations/001_people.up.sql'),
      'CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, age integer);\n',
    )
    writeFileSync(join(project, 'database/migrations/001_people.down.sql'), 'DROP TABLE people;\n')
    expect((await nself(['db', 'migrate:up'])).code).to.equal(0)
  })
  after(async () => {
    await registry?.stop()
    await db?.drop()
  })

  /** What an author's `npm install` does, offline: the dev tools from this repository, the SDK from vendor/, csv-parse from its tarball. */
  function installOffline(dir: string): void {
    const modules = join(dir, 'node_modules')
    for (const name of ['typescript', '@types/node', '@oclif/core']) {
      mkdirSync(join(modules, name, '..'), {recursive: true})
      symlinkSync(join(ROOT, 'node_modules', name), join(modules, name))
    }
    mkdirSync(join(modules, '.bin'), {recursive: true})
    symlinkSync('../typescript/bin/tsc', join(modules, '.bin', 'tsc'))
    const sdk = readdirSync(join(dir, 'vendor')).find((f) => f.endsWith('.tgz'))!
    extract(join(dir, 'vendor', sdk), join(modules, '@nself/sdk'))
    extract(CSV_PARSE, join(modules, 'csv-parse'))
  }

  function extract(tgz: string, to: string): void {
    mkdirSync(to, {recursive: true})
    execFileSync('tar', ['-xzf', tgz, '-C', to, '--strip-components', '1'])
  }

  /** The plugin works the same whichever way it came. */
  async function works(how: string): Promise<void> {
    const listed = await nself(['plugins'])
    expect(listed.stdout, how).to.include(NAME)
    expect(listed.stderr, how).not.to.include('cannot be auto-transpiled')

    // Its command extends BaseCommand: nself's error format and exit codes, also under --json.
    const hello = await nself(['csvdemo', 'hello', '--name', 'Ada'])
    expect(hello.code, hello.stderr).to.equal(0)
    expect(hello.stdout).to.equal('Hello, Ada!\n')
    const bad = await nself(['csvdemo', 'hello', '--name', ' ', '--json'])
    expect(bad.code, how).to.equal(5)
    expect(JSON.parse(bad.stdout)).to.deep.equal({
      error: {code: 'NSELF_VALIDATION', message: '--name is empty', exit: 5, hint: 'Pass a name: --name Ada'},
    })

    // Its seed loader: csv-parse, NULL vs "", row and line in PostgreSQL's errors.
    const seeds = join(project, 'database/seeds/development/people.csv')
    writeFileSync(seeds, 'id,name,age\n1,Ada,36\n\n2,"",\n')
    const seeded = await nself(['db', 'seed', '--fresh', '--force'])
    expect(seeded.code, seeded.stderr).to.equal(0)
    expect(seeded.stdout).to.match(/loaded\s+people\.csv → public\.people: 2 rows/)
    expect(seeded.stdout).to.match(/Committed 2 rows from 1 file\(s\) to development in one transaction/)
    expect((await db.query('SELECT id, name, age FROM people ORDER BY id')).rows).to.deep.equal([
      {id: 1, name: 'Ada', age: 36},
      {id: 2, name: '', age: null},
    ])
    writeFileSync(seeds, 'id,name,age\n3,Cy,30\n\n4,Di,old\n')
    const rejected = await nself(['db', 'seed', '--fresh', '--force', '--json'])
    expect(rejected.code, how).to.equal(5)
    expect(JSON.parse(rejected.stdout).error).to.deep.include({
      code: 'NSELF_SEED_INVALID',
      file: 'database/seeds/development/people.csv',
      row: 2,
      line: 4,
      column: 'age',
    })
    expect((await db.query('SELECT count(*)::int AS n FROM people')).rows[0].n, how).to.equal(2) // rolled back

    // Its guard: a migration that drops a table is refused before anything changes.
    writeFileSync(join(project, 'database/migrations/002_cleanup.up.sql'), 'DROP TABLE people;\n')
    writeFileSync(
      join(project, 'database/migrations/002_cleanup.down.sql'),
      'CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, age integer);\n',
    )
    const refused = await nself(['db', 'migrate:up', '--json'])
    expect(refused.code, how).to.equal(6)
    expect(JSON.parse(refused.stdout)).to.deep.equal({
      error: {
        code: 'NSELF_REFUSED',
        message: `Refused by plugin ${NAME}: 002_cleanup drops a table (set ALLOW_DROP_TABLE=true to allow it)`,
        exit: 6,
        hint: 'Nothing was changed.',
      },
    })
    expect((await db.query("SELECT to_regclass('people')::text AS t")).rows[0].t).to.equal('people')
    rmSync(join(project, 'database/migrations/002_cleanup.up.sql'))
    rmSync(join(project, 'database/migrations/002_cleanup.down.sql'))
  }

  async function uninstalls(): Promise<void> {
    const removed = await nself(['plugins', 'uninstall', NAME])
    expect(removed.code, removed.stderr).to.equal(0)
    expect((await nself(['plugins'])).stdout).not.to.include(NAME)
    expect((await nself(['csvdemo', 'hello'])).code).to.equal(2)
    const seed = await nself(['db', 'seed'])
    expect(seed.code).to.equal(5)
    expect(seed.stderr).to.include('no plugin reads the "csv" seed format')
    expect(existsSync(join(dataDir(), 'node_modules', NAME))).to.equal(false)
  }

  /** Installed plugins import nself's own SDK: the data folder links it, and the plugin brought none. */
  function usesNselfSdk(): void {
    const link = join(dataDir(), 'node_modules/@nself/sdk')
    expect(lstatSync(link).isSymbolicLink()).to.equal(true)
    expect(realpathSync(link)).to.equal(realpathSync(join(ROOT, 'node_modules/@nself/sdk')))
    expect(existsSync(join(dataDir(), 'node_modules', NAME, 'node_modules/@nself/sdk'))).to.equal(false)
  }

  it("works linked (plugins link), using the running nself's SDK, and unlinks cleanly", async () => {
    // The plugin's own copy goes: whatever it imports of @nself/sdk now has to be nself's.
    rmSync(join(plugin, 'node_modules/@nself'), {recursive: true})
    const linked = await nself(['plugins', 'link', plugin, '--no-install'])
    expect(linked.code, linked.stderr).to.equal(0)
    await works('link')
    await uninstalls()
  })

  it('works installed from a tarball (plugins install file:…)', async () => {
    const installed = await nself(['plugins', 'install', `file:${tarball}`])
    expect(installed.code, installed.stderr).to.equal(0)
    usesNselfSdk()
    await works('file:')
    await uninstalls()
  })

  it('works installed by name from a registry, which is never asked for @nself/sdk', async () => {
    const installed = await nself(['plugins', 'install', NAME])
    expect(installed.code, installed.stderr).to.equal(0)
    usesNselfSdk()
    await works('registry')
    await uninstalls()
    expect(registry.requests.filter((r) => r.includes(NAME)).length).to.be.greaterThan(0)
    expect(registry.requests.filter((r) => r.includes('@nself/sdk'))).to.deep.equal([])
    // Uninstalled cleanly: the data folder holds only nself's SDK link.
    expect(JSON.parse(readFileSync(join(dataDir(), 'package.json'), 'utf8')).dependencies).to.deep.equal({
      '@nself/sdk': `file:${realpathSync(join(ROOT, 'node_modules/@nself/sdk'))}`,
    })
  })

  it("the guide's plugin-flags example is the Hasura plugin's declaration", () => {
    const hasura = JSON.parse(readFileSync(join(ROOT, 'plugins/hasura/package.json'), 'utf8'))
    expect(JSON.parse(docExample('plugin-flags'))).to.deep.equal({nself: hasura.nself})
  })

  it("the guide's beforeMigrate example is the scaffold's guard", () => {
    expect(readFileSync(join(plugin, 'src/hooks/before-migrate.ts'), 'utf8')).to.include(docExample('before-migrate'))
  })
})
