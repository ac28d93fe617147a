import {expect} from 'chai'
import {appendFileSync, copyFileSync, mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {schemaAhead} from '../../src/authoring/schema-ahead.js'
import {runCli} from '../helpers/cli.js'

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
