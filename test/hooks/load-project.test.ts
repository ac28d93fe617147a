import {expect} from 'chai'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Config} from '@oclif/core'
import {loadProject, loadProjectSchema} from '@nself/sdk/project'
import {ROOT} from '../helpers/cli.js'

/** The one way plugins get the project: loadProject (@nself/sdk/project), answered by the core's hook. */
describe('loadProject, the SDK way to the project', () => {
  let config: Config
  let root: string
  const saved = {...process.env}
  before(async () => {
    config = await Config.load({root: ROOT, userPlugins: false})
    root = mkdtempSync(join(tmpdir(), 'nself-loadproject-'))
    mkdirSync(join(root, 'database'))
    writeFileSync(join(root, '.env'), 'ACME_TOKEN=from-env\nACME_URL=https://acme.test\n')
    writeFileSync(join(root, '.env.local'), 'ACME_TOKEN=from-local\n')
    writeFileSync(join(root, 'database', 'schema.dbml'), 'Table users {\n  id int [pk]\n  email varchar(255)\n}\n')
    process.env.NSELF_PROJECT_DIR = root
  })
  after(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
  })

  it('gives the settings merged as nself merges them, and where each came from', async () => {
    const project = await loadProject(config)
    expect(project.root).to.equal(root)
    expect(project.env).to.include({ACME_TOKEN: 'from-local', ACME_URL: 'https://acme.test'})
    expect(project.sources).to.include({ACME_TOKEN: '.env.local', ACME_URL: '.env'})
    expect(project.schema).to.equal(undefined)
  })

  it('parses and validates the schema file, or given text, and lists changes from an earlier text', async () => {
    const {schema} = await loadProjectSchema(config, {validate: true})
    expect(schema.model.tables.map((t) => t.name)).to.deep.equal(['users'])
    expect(schema.diagnostics!.filter((d) => d.severity === 'error')).to.deep.equal([])
    const bad = await loadProject(config, {
      validate: true,
      source: 'Table a {\n  id nosuchtype\n}\n',
      file: 'remote.dbml',
    })
    expect(bad.schema!.diagnostics!.some((d) => d.severity === 'error' && d.line === 2)).to.equal(true)
    await loadProjectSchema(config, {
      validate: true,
      source: 'Table a {\n  id nosuchtype\n}\n',
      file: 'remote.dbml',
    }).then(
      () => expect.fail('should throw'),
      (error) =>
        expect(error)
          .to.include({exit: 5})
          .and.have.property('message')
          .that.match(/^remote\.dbml:2:/),
    )
    const changed = await loadProject(config, {
      source: 'Table users {\n  id int [pk]\n}\n',
      changesFrom: 'Table users {\n  id int [pk]\n  email text\n}\n',
    })
    expect(changed.schema!.changes!.map((c) => c.destructive)).to.deep.equal([true])
    expect(changed.schema!.changes![0].summary).to.match(/email/)
  })
})
