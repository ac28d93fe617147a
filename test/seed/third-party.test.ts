/**
 * A team's own seed format, as an outside package: a zero-dependency CommonJS plugin (NDJSON, one
 * object per line) in a temporary folder, installed the ways a team would, with an isolated oclif
 * data directory and an unreachable npm registry (nothing may need the network).
 */
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {runCli} from '../helpers/cli.js'
import {BLOG_SQL, counts, makeProject} from './helpers.js'

const PLUGIN = 'nself-plugin-seed-ndjson'

/** The complete plugin: package.json and one hook file (the same as docs/seed-plugins.md shows). */
function writePlugin(name = PLUGIN): string {
  const dir = mkdtempSync(join(tmpdir(), 'nself-ndjson-plugin-'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name,
        version: '1.0.0',
        description: 'NDJSON seed files for nself',
        license: 'MIT',
        files: ['seed-loader.js'],
        oclif: {hooks: {seedLoader: './seed-loader.js'}},
      },
      null,
      2,
    ),
  )
  writeFileSync(
    join(dir, 'seed-loader.js'),
    `'use strict'
const {createReadStream} = require('node:fs')
const {createInterface} = require('node:readline')

async function* rows(path) {
  let line = 0
  for await (const text of createInterface({input: createReadStream(path), crlfDelay: Infinity})) {
    line++
    if (text.trim() === '') continue
    try {
      yield JSON.parse(text)
    } catch (error) {
      throw Object.assign(new Error('bad JSON: ' + error.message), {row: line})
    }
  }
}

module.exports = async function seedLoader() {
  return {formats: ['ndjson'], load: (file) => ({kind: 'rows', rows: rows(file.path)})}
}
`,
  )
  return dir
}

describe('third-party seed format plugin (link, install file:tarball, uninstall) @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let plugin: string
  let project: string
  before(async () => {
    db = await freshDatabase()
    await db.query(BLOG_SQL)
    plugin = writePlugin()
    project = makeProject({
      'development/users.ndjson':
        '{"email": "a@example.com", "password_hash": "x"}\n{"email": "b@example.com", "password_hash": "y", "is_active": false}\n',
    })
  })
  after(async () => db.drop())

  function nself(data: string, ...args: string[]) {
    // An unreachable registry: installing the tarball must not need the network.
    return runCli(args, {
      cwd: project,
      env: {
        ...db.env,
        XDG_DATA_HOME: data,
        NSELF_NPM_REGISTRY: 'http://127.0.0.1:9',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
      },
      timeoutMs: 60_000,
    })
  }

  async function expectLoads(data: string) {
    const result = await nself(data, 'db', 'seed', '--fresh', '--json')
    expect(result.code, result.stderr).to.equal(0)
    const json = JSON.parse(result.stdout)
    expect(json.files).to.have.length(1)
    expect(json.files[0]).to.include({file: 'users.ndjson', plugin: PLUGIN, status: 'applied', rows: 2})
    expect((await db.query('SELECT email, is_active FROM users ORDER BY email')).rows).to.deep.equal([
      {email: 'a@example.com', is_active: true},
      {email: 'b@example.com', is_active: false},
    ])
  }

  async function expectMissingFormat(data: string) {
    const result = await nself(data, 'db', 'seed', '--fresh')
    expect(result.code).to.equal(5)
    expect(result.stderr).to.include(
      'no plugin reads the "ndjson" seed format (file database/seeds/development/users.ndjson)',
    )
    expect(result.stderr).to.include('nself plugins install')
  }

  it('nself plugins link <dir> --no-install: db seed loads .ndjson; after uninstall it is an error naming the format', async () => {
    const data = mkdtempSync(join(tmpdir(), 'nself-xdg-link-'))
    await expectMissingFormat(data)
    const linked = await nself(data, 'plugins', 'link', plugin, '--no-install')
    expect(linked.code, linked.stderr).to.equal(0)
    expect((await nself(data, 'plugins')).stdout).to.match(new RegExp(`${PLUGIN} 1\\.0\\.0 \\(link\\)`))
    await expectLoads(data)
    const removed = await nself(data, 'plugins', 'uninstall', PLUGIN)
    expect(removed.code, removed.stderr).to.equal(0)
    await expectMissingFormat(data)
  })

  it('nself plugins install file:<tarball made by npm pack>: the same, offline', async () => {
    const packDir = mkdtempSync(join(tmpdir(), 'nself-pack-'))
    execFileSync('npm', ['pack', '--pack-destination', packDir, '--silent'], {
      cwd: plugin,
      env: {...process.env, npm_config_update_notifier: 'false'},
    })
    const tarball = join(
      packDir,
      readdirSync(packDir).find((f) => f.endsWith('.tgz'))!,
    )
    const data = mkdtempSync(join(tmpdir(), 'nself-xdg-install-'))
    mkdirSync(data, {recursive: true})
    const installed = await nself(data, 'plugins', 'install', `file:${tarball}`)
    expect(installed.code, installed.stderr).to.equal(0)
    expect((await nself(data, 'plugins')).stdout).to.include(PLUGIN)
    await expectLoads(data)
    expect(await counts(db, ['users'])).to.deep.equal({users: 2})
    const removed = await nself(data, 'plugins', 'uninstall', PLUGIN)
    expect(removed.code, removed.stderr).to.equal(0)
    await expectMissingFormat(data)
  })

  it('names both plugins when two claim a format, and warns (naming it) about a plugin whose hook fails', async () => {
    const data = mkdtempSync(join(tmpdir(), 'nself-xdg-conflict-'))
    const broken = mkdtempSync(join(tmpdir(), 'nself-broken-plugin-'))
    writeFileSync(
      join(broken, 'package.json'),
      JSON.stringify({name: 'nself-plugin-broken', version: '1.0.0', oclif: {hooks: {seedLoader: './hook.js'}}}),
    )
    writeFileSync(
      join(broken, 'hook.js'),
      "module.exports = async function () { throw new Error('cannot read team config') }\n",
    )
    for (const dir of [plugin, writePlugin('nself-plugin-seed-ndjson-fork'), broken]) {
      const linked = await nself(data, 'plugins', 'link', dir, '--no-install')
      expect(linked.code, linked.stderr).to.equal(0)
    }
    const result = await nself(data, 'db', 'seed', '--fresh')
    expect(result.code).to.equal(5)
    expect(result.stderr).to.include(
      'Warning: plugin nself-plugin-broken: its seedLoader hook failed: cannot read team config',
    )
    expect(result.stderr).to.include(
      `plugins ${PLUGIN} and nself-plugin-seed-ndjson-fork both read the "ndjson" seed format (file database/seeds/development/users.ndjson)`,
    )
  })
})
