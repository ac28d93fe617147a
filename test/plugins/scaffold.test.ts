import {expect} from 'chai'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli, ROOT} from '../helpers/cli.js'
import {scaffoldPlugin, type PluginScaffoldOptions} from '../../src/plugins/scaffold.js'

/** `nself plugins new`: what the options generate. The full build/link/test of a scaffold is test/plugins/third-party.test.ts. */
describe('nself plugins new', () => {
  const base = (dir: string, extra: Partial<PluginScaffoldOptions> = {}): PluginScaffoldOptions => ({
    name: '@acme/nself-plugin-guard',
    dir,
    seedLoader: true,
    format: 'ndjson',
    migrateHooks: true,
    command: true,
    sdkTarballDir: join(ROOT, 'dist', 'sdk'),
    versions: {sdk: '0.2.0', oclifCore: '^4.8.0', typescript: '^5.9.0', typesNode: '^20.19.0'},
    ...extra,
  })
  const tmp = () => join(mkdtempSync(join(tmpdir(), 'nself-scaffold-')), 'plugin')

  it("sits beside oclif's plugins commands", async () => {
    const help = await runCli(['plugins', '--help'])
    expect(help.stdout)
      .to.match(/plugins install/)
      .and.match(/plugins link/)
      .and.match(/plugins new +Create a TypeScript plugin project/)
  })

  it('generates only the parts asked for; the SDK is an optional peer and a vendored devDependency', () => {
    const result = scaffoldPlugin(base(tmp(), {seedLoader: false, command: false}))
    expect(result.topic).to.equal('guard')
    expect(result.files).to.deep.equal([
      '.gitignore',
      'README.md',
      'package.json',
      'scripts/manifest.mjs',
      'src/hooks/after-migrate.ts',
      'src/hooks/before-migrate.ts',
      'test/before-migrate.test.ts',
      'test/tsconfig.json',
      'tsconfig.json',
      'vendor/nself-sdk-0.2.0.tgz',
    ])
    const pjson = JSON.parse(readFileSync(join(result.root, 'package.json'), 'utf8'))
    expect(pjson.oclif).to.deep.equal({
      hooks: {beforeMigrate: './dist/hooks/before-migrate.js', afterMigrate: './dist/hooks/after-migrate.js'},
    })
    expect(pjson.peerDependencies).to.deep.equal({'@nself/sdk': '^0.2.0'})
    expect(pjson.peerDependenciesMeta).to.deep.equal({'@nself/sdk': {optional: true}})
    expect(pjson.devDependencies['@nself/sdk']).to.equal('file:vendor/nself-sdk-0.2.0.tgz')
    expect(pjson.dependencies).to.equal(undefined)
  })

  it('a seed loader for the format given, and a command under the topic', () => {
    const result = scaffoldPlugin(base(tmp(), {name: 'nself-plugin-yaml', format: 'yml', migrateHooks: false}))
    expect(result.files).to.include.members([
      'src/hooks/seed-loader.ts',
      'test/seed-loader.test.ts',
      'src/commands/yaml/hello.ts',
      'test/hello.test.ts',
    ])
    expect(readFileSync(join(result.root, 'src/hooks/seed-loader.ts'), 'utf8')).to.include("formats: ['yml']")
  })

  it('refuses a bad name, a bad format and a folder that is not empty (exit 2)', async () => {
    expect(() => scaffoldPlugin(base(tmp(), {name: 'Bad Name'}))).to.throw('"Bad Name" is not an npm package name')
    expect(() => scaffoldPlugin(base(tmp(), {format: '.csv'}))).to.throw(
      '--format .csv: a file extension without the dot',
    )
    const dir = tmp()
    mkdirSync(dir)
    writeFileSync(join(dir, 'keep.txt'), 'mine')
    const refused = await runCli(['plugins', 'new', 'nself-plugin-x', '--dir', dir, '--json'])
    expect(refused.code).to.equal(2)
    expect(JSON.parse(refused.stdout).error.message).to.equal(`${dir} exists and is not empty`)
    expect(existsSync(join(dir, 'package.json'))).to.equal(false)
  })
})
