import {expect} from 'chai'
import {Config} from '@oclif/core'
import type {NselfHooks, SeedLoader} from '@nself/sdk/hooks'
import {ROOT} from '../helpers/cli.js'
import {collectSeedLoaders} from '../../src/cli/seed-loaders.js'

// The core loads the first-party plugins under plugins/ as core plugins: their commands are
// registered and the core's hooks reach them with the typed options.
describe('bundled plugins', () => {
  let config: Config
  before(async () => {
    config = await Config.load({root: ROOT, userPlugins: false})
  })

  it('are loaded as core plugins', () => {
    const core = [...config.plugins.values()].filter((p) => p.type === 'core').map((p) => p.name)
    expect(core).to.include.members([
      '@nself/plugin-seed-json',
      '@nself/plugin-seed-sql',
      '@oclif/plugin-help',
      '@oclif/plugin-plugins',
    ])
  })

  it('register their commands with the core', () => {
    const lint = config.findCommand('db:seed:lint')
    expect(lint?.pluginName).to.equal('@nself/plugin-seed-json')
  })

  it('answer the core seedLoader hook, called with its typed options', async () => {
    const options: NselfHooks['seedLoader']['options'] = {environment: 'staging'}
    const result = await config.runHook<'seedLoader', NselfHooks>('seedLoader', options, 5000, true)
    expect(result.failures).to.deep.equal([])
    const byPlugin = new Map(result.successes.map((s) => [s.plugin.name, s.result as SeedLoader | SeedLoader[]]))
    const json = [byPlugin.get('@nself/plugin-seed-json')].flat()[0] as SeedLoader
    const sql = [byPlugin.get('@nself/plugin-seed-sql')].flat()[0] as SeedLoader
    expect(json.formats).to.deep.equal(['json'])
    expect(sql.formats).to.deep.equal(['sql'])
    expect(typeof json.load).to.equal('function')
  })

  it('are collected in a deterministic order whatever order their hooks finish in', async () => {
    const warnings: string[] = []
    const loaders = await collectSeedLoaders(config, 'development', (m) => warnings.push(m))
    expect(loaders.map((l) => l.plugin)).to.deep.equal(['@nself/plugin-seed-json', '@nself/plugin-seed-sql'])
    expect(warnings).to.deep.equal([])
  })
})
