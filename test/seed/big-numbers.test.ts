/**
 * JSON seed numbers beyond 2^53 reach PostgreSQL with the digits of the file: bigint, numeric and
 * text columns keep every digit, and `seed lint` says what it carried.
 */
import {expect} from 'chai'
import {join} from 'node:path'
import type pg from 'pg'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {runCli} from '../helpers/cli.js'
import {seed, type PluginLoaders} from '../../src/seed/index.js'
import {readJsonArray} from '../../plugins/seed-json/src/json-array.js'
import {makeProject} from './helpers.js'

const jsonLoader: PluginLoaders = {
  plugin: 'json-plugin',
  loaders: [{formats: ['json'], load: (file) => ({kind: 'rows', rows: readJsonArray(file.path)})}],
}

const FILE = `[
  {"id": 1, "big": 9007199254740993, "num": 123456789012345678901234567890123456789, "dec": 12345678901234567890.1234567890123456789,
   "txt": 12345678901234567890, "arr": [9007199254740993], "doc": {"x": 9007199254740993}, "huge": 1e400}
]`

describe('JSON seeds: big numbers keep their digits @db', () => {
  let db: TestDatabase
  let client: pg.Client
  before(async () => {
    db = await freshDatabase()
    await db.query(
      'CREATE TABLE nums (id int PRIMARY KEY, big bigint, num numeric, dec numeric, txt text, arr bigint[], doc jsonb, huge numeric)',
    )
    client = await db.connect()
  })
  after(async () => {
    await client.end()
    await db.drop()
  })

  it('bigint 9007199254740993, a 39-digit numeric and a big number into text are exact', async () => {
    const project = makeProject({'development/nums.json': FILE})
    await seed(client, {
      seedsDir: join(project, 'database/seeds'),
      projectRoot: project,
      environment: 'development',
      loaders: [jsonLoader],
    })
    const {rows} = await client.query(
      "SELECT big::text, num::text, dec::text, txt, arr::text, doc->>'x' AS x, huge = 1e400::numeric AS huge FROM nums",
    )
    expect(rows[0]).to.deep.equal({
      big: '9007199254740993',
      num: '123456789012345678901234567890123456789',
      dec: '12345678901234567890.1234567890123456789',
      txt: '12345678901234567890',
      arr: '{9007199254740993}',
      x: '9007199254740993',
      huge: true,
    })
  })

  it('seed lint says the big numbers are carried as written', async () => {
    const project = makeProject({'development/nums.json': FILE})
    const result = await runCli(['db', 'seed', 'lint', join(project, 'database/seeds/development/nums.json')], {
      cwd: project,
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/1 rows/)
    expect(result.stdout).to.match(
      /7 numbers beyond what JavaScript holds exactly \(row 1: big, num, dec, txt, arr, doc, huge; …\) are carried with their digits as written/,
    )
  })
})
