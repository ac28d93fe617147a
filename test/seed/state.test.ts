import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {makeProject} from '../helpers/migrations.js'

describe('seed state follows the data @db', function () {
  this.timeout(120_000)
  let db: TestDatabase
  before(async () => (db = await freshDatabase()))
  after(async () => db.drop())

  it('after migrate:down --all and migrate:up, the seeds are pending again and db seed applies them', async () => {
    const project = makeProject({
      '001_items.up.sql': 'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);\n',
      '001_items.down.sql': 'DROP TABLE items;\n',
    })
    mkdirSync(join(project.root, 'database', 'seeds', 'development'), {recursive: true})
    writeFileSync(
      join(project.root, 'database', 'seeds', 'development', 'items.json'),
      JSON.stringify([
        {id: 1, name: 'a'},
        {id: 2, name: 'b'},
      ]),
    )
    const cli = (...args: string[]) => runCli(args, {cwd: project.root, env: db.env})
    const seedStates = async () =>
      JSON.parse((await cli('db', 'status', '--json')).stdout).seeds.files.map(
        (f: {file: string; state: string}) => `${f.file}:${f.state}`,
      )

    expect((await cli('db', 'migrate:up', '--force')).code).to.equal(0)
    const first = await cli('db', 'seed')
    expect(first.code, first.stderr).to.equal(0)
    expect(await seedStates()).to.deep.equal(['items.json:applied'])

    expect((await cli('db', 'migrate:down', '--all', '--force')).code).to.equal(0)
    expect((await cli('db', 'migrate:up', '--force')).code).to.equal(0)
    expect((await db.query('SELECT count(*)::int AS n FROM items')).rows[0].n).to.equal(0)
    expect(await seedStates()).to.deep.equal(['items.json:pending'])

    const again = await cli('db', 'seed')
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stdout).to.match(/loaded\s+items\.json → public\.items: 2 rows/)
    expect((await db.query('SELECT count(*)::int AS n FROM items')).rows[0].n).to.equal(2)
    expect(await seedStates()).to.deep.equal(['items.json:applied'])
  })
})
