import {expect} from 'chai'
import {appendFileSync, copyFileSync, mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {schemaAhead} from '../../src/authoring/schema-ahead.js'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'

describe('schemaAhead: is schema.dbml ahead of the generated migrations?', () => {
  it('says yes before db run, no after it, and yes again after an edit; unknown for a broken schema', async () => {
    const project = mkdtempSync(join(tmpdir(), 'nself-ahead-'))
    const schema = join(project, 'database', 'schema.dbml')
    const migrations = join(project, 'database', 'migrations')
    mkdirSync(migrations, {recursive: true})
    copyFileSync(join(import.meta.dirname, '..', 'fixtures', 'initial.dbml'), schema)

    const before = await schemaAhead(schema, migrations)
    expect(before.ahead).to.equal(true)
    expect(before.changes).to.be.above(3)

    const run = await runCli(['db', 'run'], {cwd: project})
    expect(run.code, run.stderr).to.equal(0)
    expect(await schemaAhead(schema, migrations)).to.deep.include({ahead: false, snapshot: '001', changes: 0})

    appendFileSync(schema, '\nTable tags {\n  id int [pk]\n}\n')
    expect(await schemaAhead(schema, migrations)).to.deep.include({ahead: true, changes: 1})

    appendFileSync(schema, '\nTable broken {\n  id nosuchtype\n}\n')
    expect((await schemaAhead(schema, migrations)).ahead).to.equal('unknown')
  })
})

describe('migrate:up with schema.dbml ahead of the migrations @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  before(async () => (db = await freshDatabase()))
  after(async () => db.drop())

  it('says more than "Nothing to apply": that db run writes the missing migration', async () => {
    const project = mkdtempSync(join(tmpdir(), 'nself-ahead-up-'))
    mkdirSync(join(project, 'database', 'migrations'), {recursive: true})
    const schema = join(project, 'database', 'schema.dbml')
    copyFileSync(join(import.meta.dirname, '..', 'fixtures', 'initial.dbml'), schema)
    expect((await runCli(['db', 'run'], {cwd: project})).code).to.equal(0)
    const first = await runCli(['db', 'migrate:up', '--force'], {cwd: project, env: db.env})
    expect(first.code, first.stderr).to.equal(0)
    expect(first.stdout).to.not.include('ahead')

    appendFileSync(schema, '\nTable tags {\n  id int [pk]\n}\n')
    const up = await runCli(['db', 'migrate:up', '--force'], {cwd: project, env: db.env})
    expect(up.code, up.stderr).to.equal(0)
    expect(up.stdout).to.include(
      'Nothing to apply.\ndatabase/schema.dbml is ahead of the migrations (1 change(s) since migration 001: run nself db run), then nself db migrate:up.',
    )
    const json = JSON.parse(
      (await runCli(['db', 'migrate:up', '--force', '--json'], {cwd: project, env: db.env})).stdout,
    )
    expect(json.schemaAhead).to.equal('1 change(s) since migration 001: run nself db run')
  })
})
