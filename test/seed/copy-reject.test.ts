import {expect} from 'chai'
import {join} from 'node:path'
import type pg from 'pg'
import type {SeedLoader, SeedRow} from '@nself/sdk/hooks'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {seed, type PluginLoaders} from '../../src/seed/index.js'
import {makeProject} from './helpers.js'

/**
 * PostgreSQL rejects a row while the COPY is still streaming: the error must always be the seed error
 * naming file and row (never pg-copy-streams' "Cannot read properties of null (reading 'stream')"), and
 * the run must leave no row behind. Each run is small; the loop is what catches the race.
 */
const RUNS = 200
const ROWS = 6000
const BAD_ROW = 1500

function rows(): Iterable<SeedRow[]> {
  const pad = 'x'.repeat(40)
  const all: SeedRow[] = []
  for (let i = 1; i <= ROWS; i++) all.push({id: i, n: i === BAD_ROW ? 'not a number' : String(i), note: pad})
  // Batches of 500, with a macrotask between them so PostgreSQL's error can arrive mid-stream.
  return (function* () {
    for (let i = 0; i < all.length; i += 500) yield all.slice(i, i + 500)
  })()
}

async function* slowRows(): AsyncIterable<SeedRow[]> {
  for (const batch of rows()) {
    yield batch
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('seeding: a row rejected mid-COPY, many times over @db', () => {
  let db: TestDatabase
  let client: pg.Client
  before(async () => {
    db = await freshDatabase('nself_copyreject')
    await db.query('CREATE TABLE items (id integer PRIMARY KEY, n integer NOT NULL, note text)')
    client = await db.connect()
  })
  after(async () => {
    await client.end()
    await db.drop()
  })

  it(`gives the file/row error ${RUNS} times out of ${RUNS}, with 0 crashes and 0 rows left`, async function () {
    this.timeout(300_000)
    const project = makeProject({'development/items.bulk': ''})
    let asyncToggle = false
    const loader: SeedLoader = {
      formats: ['bulk'],
      load: () => {
        asyncToggle = !asyncToggle
        return {kind: 'rows', rows: asyncToggle ? slowRows() : rows()}
      },
    }
    const loaders: PluginLoaders[] = [{plugin: 'test-bulk', loaders: [loader]}]
    const outcomes = {clean: 0, other: [] as string[]}
    const crashes: unknown[] = []
    const onCrash = (error: unknown) => crashes.push(error)
    process.on('uncaughtException', onCrash)
    try {
      for (let i = 0; i < RUNS; i++) {
        try {
          await seed(client, {
            seedsDir: join(project, 'database/seeds'),
            projectRoot: project,
            environment: 'development',
            loaders,
          })
          outcomes.other.push('no error')
        } catch (error) {
          const message = (error as Error).message
          if (
            message.startsWith(`database/seeds/development/items.bulk row ${BAD_ROW}, column n: `) &&
            (error as {code?: string}).code === 'NSELF_SEED_INVALID'
          )
            outcomes.clean++
          else outcomes.other.push(message)
        }
      }
    } finally {
      process.off('uncaughtException', onCrash)
    }
    const left = (await client.query('SELECT count(*)::int AS n FROM items')).rows[0].n
    expect({crashes: crashes.map(String), other: [...new Set(outcomes.other)], left}).to.deep.equal({
      crashes: [],
      other: [],
      left: 0,
    })
    expect(outcomes.clean).to.equal(RUNS)
  })
})
