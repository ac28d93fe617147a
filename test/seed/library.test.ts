import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type pg from 'pg'
import type {SeedLoader} from '@nself/sdk/hooks'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {seed, seedOnInit, seedStatus, type PluginLoaders, type SeedOptions} from '../../src/seed/index.js'
import {loadConfig} from '../../src/config/index.js'
import {readJsonArray} from '../../plugins/seed-json/src/json-array.js'
import {makeProject} from './helpers.js'

/** An in-memory format ("mem"): the rows of each file come from this map, not from the file. */
function memLoader(rows: Record<string, unknown[]>): PluginLoaders {
  const loader: SeedLoader = {
    formats: ['mem'],
    load: (file) => ({kind: 'rows', rows: rows[file.table] as Record<string, unknown>[]}),
  }
  return {plugin: 'test-mem', loaders: [loader]}
}

const jsonLoader: PluginLoaders = {
  plugin: 'json-plugin',
  loaders: [{formats: ['json'], load: (file) => ({kind: 'rows', rows: readJsonArray(file.path)})}],
}

const TRICKY_SQL = `CREATE TABLE tricky (
  id serial PRIMARY KEY, nothing text, flag boolean, i integer, f double precision, num numeric, big bigint,
  d date, ts timestamptz, tags text[], grid int[], doc jsonb, j json, docs jsonb[], txt text, bytes bytea,
  note text DEFAULT 'default note')`

const TEXT = 'tab\there\nnewline\r\\backslash "double" \'single\' \\N ünï €'

describe('seeding library: types, column sets, loaders, status @db', () => {
  let db: TestDatabase
  let client: pg.Client
  beforeEach(async () => {
    db = await freshDatabase()
    await db.query(TRICKY_SQL)
    client = await db.connect()
  })
  afterEach(async () => {
    await client.end()
    await db.drop()
  })

  const run = (project: string, loaders: PluginLoaders[], extra: Partial<SeedOptions> = {}) =>
    seed(client, {
      seedsDir: join(project, 'database/seeds'),
      projectRoot: project,
      environment: 'development',
      loaders,
      ...extra,
    })

  it('round-trips every tricky type through COPY', async () => {
    const project = makeProject({'development/tricky.mem': ''})
    const rows = [
      {
        nothing: null,
        flag: true,
        i: 42,
        f: 1.5,
        num: '12345678901234567890.123456789',
        big: '9007199254740993',
        d: '2024-02-29',
        ts: new Date('2024-01-02T03:04:05.678Z'),
        tags: ['a b', 'c"d', 'e\\f', null, 'tab\there', '{x}', 'NULL', ''],
        grid: [
          [1, 2],
          [3, 4],
        ],
        doc: {a: 1, nested: {b: [1, 'two', null]}, s: TEXT},
        j: [1, 2, 3],
        docs: [{a: 1}, {b: 'x"y'}],
        txt: TEXT,
        bytes: Buffer.from([0, 1, 92, 255]),
      },
      {
        flag: false,
        big: 9007199254740993n,
        i: -1,
        f: -0.25,
        txt: '',
        tags: [],
        doc: '{"raw": "json text"}',
        d: new Date('2024-03-01T00:00:00Z'),
        note: 'explicit',
      },
      {id: 100, txt: 'explicit id', doc: {big: 12345678901234567890n}},
    ]
    const result = await run(project, [memLoader({tricky: rows})])
    expect(result.rows).to.equal(3)
    await client.query("INSERT INTO tricky (txt) VALUES ('after')")
    const {rows: got} = await client.query(
      `SELECT id, nothing, flag, i, f, num::text, big::text, d::text, ts, tags, grid, doc, j::text, docs, txt, bytes, note FROM tricky ORDER BY id`,
    )
    expect(got[0]).to.deep.include({
      id: 1,
      nothing: null,
      flag: true,
      i: 42,
      f: 1.5,
      num: '12345678901234567890.123456789',
      big: '9007199254740993',
      d: '2024-02-29',
      j: '[1,2,3]',
      txt: TEXT,
      note: 'default note',
    })
    expect(got[0].ts.toISOString()).to.equal('2024-01-02T03:04:05.678Z')
    expect(got[0].tags).to.deep.equal(rows[0].tags)
    expect(got[0].grid).to.deep.equal([
      [1, 2],
      [3, 4],
    ])
    expect(got[0].doc).to.deep.equal(rows[0].doc)
    expect(got[0].docs).to.deep.equal([{a: 1}, {b: 'x"y'}])
    expect([...got[0].bytes]).to.deep.equal([0, 1, 92, 255])
    expect(got[1]).to.deep.include({
      id: 2,
      flag: false,
      big: '9007199254740993',
      i: -1,
      f: -0.25,
      txt: '',
      d: '2024-03-01',
      note: 'explicit',
      doc: {raw: 'json text'},
    })
    expect(got[1].tags).to.deep.equal([])
    expect(got[2]).to.deep.include({id: 100, txt: 'explicit id', note: 'default note'})
    expect((await client.query("SELECT doc->>'big' AS b FROM tricky WHERE id = 100")).rows[0].b).to.equal(
      '12345678901234567890',
    )
    // The explicit id moved the sequence on: the next default id does not collide.
    expect(got[3]).to.deep.include({id: 101, txt: 'after'})
  })

  it('round-trips the JSON-representable types through a .json file and the seed-json reader', async () => {
    const rows = [
      {
        flag: true,
        i: 7,
        f: 2.5,
        big: '9223372036854775807',
        ts: '2024-01-02T03:04:05.678Z',
        tags: ['x,y', 'q"uote', 'back\\slash', null],
        grid: [1, 2],
        doc: {k: [true, null, {deep: TEXT}]},
        txt: TEXT,
      },
    ]
    const project = makeProject({'development/tricky.json': JSON.stringify(rows, null, 2)})
    await run(project, [jsonLoader])
    const {rows: got} = await client.query('SELECT flag, i, f, big::text, ts, tags, grid, doc, txt FROM tricky')
    expect(got[0]).to.deep.include({flag: true, i: 7, f: 2.5, big: '9223372036854775807', txt: TEXT})
    expect(got[0].ts.toISOString()).to.equal(rows[0].ts)
    expect(got[0].tags).to.deep.equal(rows[0].tags)
    expect(got[0].grid).to.deep.equal([1, 2])
    expect(got[0].doc).to.deep.equal(rows[0].doc)
  })

  it('maps a COPY error in a later column set back to the file row, and rolls everything back', async () => {
    const project = makeProject({'development/tricky.mem': ''})
    const rows = [{txt: 'a'}, {txt: 'b', note: 'n'}, {txt: 'c', note: 'n'}, {txt: 'd', note: 'n', i: 'not a number'}]
    const error = await run(project, [memLoader({tricky: rows})]).catch((e) => e)
    expect(error.message).to.equal(
      'database/seeds/development/tricky.mem row 4, column i: invalid input syntax for type integer: "not a number"',
    )
    expect(error.exit).to.equal(5)
    expect((await client.query('SELECT count(*)::int AS n FROM tricky')).rows[0].n).to.equal(0)
  })

  it('names an unknown column and a value it cannot write', async () => {
    const project = makeProject({'development/tricky.mem': ''})
    const unknown = await run(project, [memLoader({tricky: [{txt: 'a'}, {txet: 'typo'}]})]).catch((e) => e)
    expect(unknown.message).to.equal(
      'database/seeds/development/tricky.mem row 2, column txet: table public.tricky has no column "txet"',
    )
    const symbol = await run(project, [memLoader({tricky: [{txt: Symbol('x')}]})]).catch((e) => e)
    expect(symbol.message).to.equal(
      'database/seeds/development/tricky.mem row 1, column txt: cannot write a symbol value (column type text)',
    )
  })

  it('reports a loader error with its row, and a loader that fails to open the file', async () => {
    const project = makeProject({'development/tricky.mem': ''})
    async function* failing() {
      yield {txt: 'fine'}
      throw Object.assign(new Error('bad quoting'), {row: 2})
    }
    const loaders: PluginLoaders[] = [
      {plugin: 'p', loaders: [{formats: ['mem'], load: () => ({kind: 'rows', rows: failing()})}]},
    ]
    const error = await run(project, loaders).catch((e) => e)
    expect(error.message).to.equal('database/seeds/development/tricky.mem row 2: bad quoting')
    expect((await client.query('SELECT count(*)::int AS n FROM tricky')).rows[0].n).to.equal(0)
    const throwing: PluginLoaders[] = [
      {
        plugin: 'p',
        loaders: [
          {
            formats: ['mem'],
            load: () => {
              throw new Error('cannot open')
            },
          },
        ],
      },
    ]
    expect((await run(project, throwing).catch((e) => e)).message).to.equal(
      'database/seeds/development/tricky.mem: cannot open',
    )
  })

  it('errors when two plugins claim the same format, naming both', async () => {
    const project = makeProject({'development/tricky.json': '[]'})
    const twin: PluginLoaders = {...jsonLoader, plugin: 'other-json-plugin'}
    const error = await run(project, [jsonLoader, twin]).catch((e) => e)
    expect(error.message).to.equal(
      'plugins json-plugin and other-json-plugin both read the "json" seed format (file database/seeds/development/tricky.json)',
    )
    expect(error.hint).to.include('nself plugins uninstall')
  })

  it('breaks a foreign-key cycle with a message, and loads it when the keys are deferrable', async () => {
    await client.query(`CREATE TABLE teams (id int PRIMARY KEY, owner_id int);
      CREATE TABLE members (id int PRIMARY KEY, team_id int REFERENCES teams DEFERRABLE);
      ALTER TABLE teams ADD FOREIGN KEY (owner_id) REFERENCES members DEFERRABLE`)
    const project = makeProject({'development/members.mem': '', 'development/teams.mem': ''})
    const notices: string[] = []
    const result = await run(project, [memLoader({teams: [{id: 1, owner_id: 10}], members: [{id: 10, team_id: 1}]})], {
      onEvent: (e) => e.type === 'notice' && notices.push(e.message),
    })
    expect(result.rows).to.equal(2)
    expect(notices).to.have.length(1)
    expect(notices[0]).to.match(
      /^foreign keys form a cycle between public\.members, public\.teams \(public\.members\(team_id\) → public\.teams; public\.teams\(owner_id\) → public\.members\): seeding members\.mem first/,
    )
  })

  it('orders by numeric prefix first, then foreign keys, then SQL scripts not named after a table; reads schema.table names', async () => {
    await client.query(`CREATE SCHEMA audit; CREATE TABLE audit.logs (id int PRIMARY KEY, parent int REFERENCES tricky(id));
      CREATE TABLE kids (id int PRIMARY KEY, parent int REFERENCES tricky(id))`)
    const project = makeProject({
      'development/audit.logs.mem': '',
      'development/02_tricky.mem': '',
      'development/01_kids.mem': '',
      'development/a_script.sql': '',
    })
    const sql: PluginLoaders = {
      plugin: 'sql',
      loaders: [{formats: ['sql'], load: () => ({kind: 'sql', sql: 'INSERT INTO kids VALUES (2, 1)'})}],
    }
    const loaders = [
      memLoader({logs: [{id: 1, parent: 1}], tricky: [{id: 1, txt: 'x'}], kids: [{id: 1, parent: null}]}),
      sql,
    ]
    const result = await run(project, loaders)
    // 01_kids before 02_tricky although kids references tricky: the prefix wins. audit.logs after its parent.
    expect(result.files.map((f) => [f.file, f.table, f.rows])).to.deep.equal([
      ['01_kids.mem', 'public.kids', 1],
      ['02_tricky.mem', 'public.tricky', 1],
      ['audit.logs.mem', 'audit.logs', 1],
      ['a_script.sql', 'public.a_script', 1],
    ])
    expect((await client.query('SELECT count(*)::int AS n FROM audit.logs')).rows[0].n).to.equal(1)
  })

  it('seedStatus shows applied, changed and pending files; seedOnInit seeds only when DB_SEED_ON_INIT is true', async () => {
    const project = makeProject({'development/tricky.json': '[{"txt": "a"}]'})
    const config = (env: Record<string, string>) => loadConfig({cwd: project, env: {DATABASE_URL: db.url, ...env}})
    expect(await seedOnInit(config({}), client, [jsonLoader])).to.deep.equal({
      seeded: false,
      reason: 'DB_SEED_ON_INIT is not true',
    })
    expect(await seedStatus(client)).to.deep.equal([])
    const init = await seedOnInit(config({DB_SEED_ON_INIT: 'true'}), client, [jsonLoader])
    expect(init.seeded).to.equal(true)
    expect(init.result!.rows).to.equal(1)
    const files = {seedsDir: join(project, 'database/seeds'), environment: 'development'}
    expect((await seedStatus(client, files)).map((e) => [e.file, e.state, e.rows])).to.deep.equal([
      ['tricky.json', 'applied', 1],
    ])
    writeFileSync(join(project, 'database/seeds/development/tricky.json'), '[{"txt": "b"}]')
    writeFileSync(join(project, 'database/seeds/development/zzz.json'), '[]')
    expect((await seedStatus(client, files)).map((e) => [e.file, e.state])).to.deep.equal([
      ['tricky.json', 'changed'],
      ['zzz.json', 'pending'],
    ])
  })
})
