import {expect} from 'chai'
import {join} from 'node:path'
import type pg from 'pg'
import {SOURCE_LINE, type SeedLoader, type SeedRow} from '@nself/sdk/hooks'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {seed, type PluginLoaders} from '../../src/seed/index.js'
import {makeProject} from './helpers.js'

/**
 * The seed contract of docs/plugins.md: `row` is the loader's record number (1-based, a header not
 * counted), `line` the physical line; a row's SOURCE_LINE makes PostgreSQL's errors name the line
 * too; errors carry {file, row, line, column} as fields; null is NULL, "" an empty string.
 */
describe('seed contract: row, line, fields, NULL vs empty string @db', () => {
  let db: TestDatabase
  let client: pg.Client
  beforeEach(async () => {
    db = await freshDatabase('nself_contract')
    await db.query('CREATE TABLE people (id integer PRIMARY KEY, name text, age integer)')
    client = await db.connect()
  })
  afterEach(async () => {
    await client.end()
    await db.drop()
  })

  /** A "lines" format: a header line, then "id|name|age" lines; blank lines skipped; rows carry their line. */
  function linesLoader(content: string[]): PluginLoaders {
    function* rows(): Iterable<SeedRow> {
      let row = 0
      for (let i = 1; i < content.length; i++) {
        if (content[i] === '') continue
        row++
        const [id, name, age] = content[i].split('|')
        if (id === 'oops') throw Object.assign(new Error('not a record'), {row, line: i + 1})
        yield {id, name: name === '\\N' ? null : name, age: age === '' ? null : age, [SOURCE_LINE]: i + 1}
      }
    }
    const loader: SeedLoader = {formats: ['lines'], load: () => ({kind: 'rows', rows: rows()})}
    return {plugin: 'test-lines', loaders: [loader]}
  }

  const run = (loaders: PluginLoaders) => {
    const project = makeProject({'development/people.lines': ''})
    return seed(client, {
      seedsDir: join(project, 'database/seeds'),
      projectRoot: project,
      environment: 'development',
      loaders: [loaders],
    })
  }

  it('a PostgreSQL error names the row and the line the loader attached, also as --json fields', async () => {
    const error = await run(linesLoader(['id|name|age', '1|Ada|36', '', '2|Bo|x', '3|Cy|3'])).catch((e) => e)
    expect(error.message).to.match(
      /^database\/seeds\/development\/people\.lines row 2, line 4, column age: invalid input syntax for type integer: "x"/,
    )
    expect(error.fields).to.deep.equal({
      file: 'database/seeds/development/people.lines',
      row: 2,
      line: 4,
      column: 'age',
    })
    expect((await client.query('SELECT count(*)::int AS n FROM people')).rows[0].n).to.equal(0)
  })

  it("a loader's own error keeps its row and line", async () => {
    const error = await run(linesLoader(['id|name|age', '1|Ada|36', '', 'oops'])).catch((e) => e)
    expect(error.message).to.equal('database/seeds/development/people.lines row 2, line 4: not a record')
    expect(error.fields).to.deep.include({row: 2, line: 4})
  })

  it('null is NULL and an empty string stays an empty string', async () => {
    await run(linesLoader(['id|name|age', '1||', '2|\\N|7']))
    const {rows} = await client.query('SELECT id, name, name IS NULL AS null_name, age FROM people ORDER BY id')
    expect(rows).to.deep.equal([
      {id: 1, name: '', null_name: false, age: null},
      {id: 2, name: null, null_name: true, age: 7},
    ])
  })
})
