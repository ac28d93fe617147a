/**
 * @db Introspection round trips on a real PostgreSQL 15: every fixture schema and the B side of
 * every diff round-trip pair is built by nself, read back from pg_catalog and written as DBML. The
 * DBML must parse and validate, must equal the schema it was built from for the diff (so `db run`
 * finds nothing to do), and built on an empty database must give the same catalog.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'chai'
import {diffSchemas} from '../../src/diff/index.js'
import {introspect} from '../../src/introspect/index.js'
import {toDbml} from '../../src/introspect/dbml.js'
import {preferPreviousSpelling} from '../../src/introspect/spelling.js'
import type {SchemaModel} from '../../src/schema/model.js'
import {parseSchema} from '../../src/schema/parse.js'
import {validateSchema} from '../../src/validate/index.js'
import {readCatalog} from '../helpers/catalog.js'
import {createTestDatabase} from '../helpers/pg.js'
import {pairs} from '../helpers/roundtrip-pairs.js'
import {buildFromScratch} from '../helpers/roundtrip.js'

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname

async function parsedModel(text: string, file: string): Promise<SchemaModel> {
  const parsed = await parseSchema(text, file)
  expect(parsed.parseErrors, `${file} parses`).to.deep.equal([])
  const errors = validateSchema(parsed).filter((d) => d.severity === 'error')
  expect(
    errors.map((e) => e.message),
    `${file} validates`,
  ).to.deep.equal([])
  return parsed.model
}

const summaries = (m: SchemaModel, n: SchemaModel): string[] => diffSchemas(m, n).map((c) => c.summary)

/**
 * The two B sides that hold what the model can say and DBML cannot: the pull reports them as extras
 * (with the statements that recreate them), and `db run` would see exactly this difference.
 */
const BEYOND_DBML: Record<string, {extras: string[]; changes: string[]}> = {
  'notes become comments on table, column, enum and index': {
    extras: ['public.user_role: comment on an enum: DBML has no enum notes'],
    changes: ['change note of enum public.user_role'],
  },
  'unique replaced while a foreign key points at it': {
    extras: [
      'public.users_email_uidx: unique index: DBML declares a unique constraint (same index, plus a constraint)',
    ],
    changes: [
      'change actions of foreign key invites_email_fkey on public.invites: drop',
      'drop index users_email_uidx on public.users',
      'add unique constraint users_email_uidx on public.users',
      'add foreign key invites_email_fkey on public.invites',
    ],
  },
}

/** Build, pull (with and without the snapshot's spelling), rebuild from the pulled DBML plus its extras, compare. */
async function pullRoundTrip(name: string, model: SchemaModel): Promise<void> {
  const db = await createTestDatabase()
  const again = await createTestDatabase()
  const expected = BEYOND_DBML[name] ?? {extras: [], changes: []}
  try {
    await buildFromScratch(db.client, model)
    const live = await introspect(db.client, {schemas: model.schemas})
    expect(
      live.extras.map((e) => `${e.object}: ${e.reason}`),
      'what DBML cannot say',
    ).to.deep.equal(expected.extras)
    // Adoption without history: the pulled DBML is the snapshot a baseline records.
    const bare = await parsedModel(await toDbml(live.model), `${name} (pulled)`)
    expect(summaries(live.model, bare), 'pulled DBML = introspected model').to.deep.equal([])
    // With the project's snapshot: what db run compares the pulled file with.
    const spelled = await preferPreviousSpelling(db.client, live.model, live.rawDefaults, model)
    const text = await toDbml(spelled)
    const pulled = await parsedModel(text, `${name} (pulled with snapshot)`)
    expect(summaries(model, pulled), `db run after pull finds nothing:\n${text}`).to.deep.equal(expected.changes)
    await buildFromScratch(again.client, pulled)
    for (const extra of live.extras) for (const statement of extra.sql) await again.client.query(statement)
    expect(await readCatalog(again.client), 'pulled schema built afresh = original catalog').to.deep.equal(
      await readCatalog(db.client),
    )
  } finally {
    await db.drop()
    await again.drop()
  }
}

describe('introspection round trips on PostgreSQL @db', function () {
  this.timeout(120_000)
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.dbml'))
    .sort()
  it('has the fixture schemas and the diff round-trip pairs', () => {
    expect(fixtures.length).to.be.at.least(4)
    expect(pairs.length).to.be.at.least(40)
  })
  for (const file of fixtures) {
    it(`fixture ${file}`, async function () {
      const parsed = await parseSchema(readFileSync(join(FIXTURES, file), 'utf8'), file)
      if (parsed.parseErrors.length > 0) {
        // ecommerce.dbml refers to tables it never declares, on purpose (the validation tests use it).
        console.log(
          `      skipped: ${file} does not parse (${parsed.parseErrors[0].message}), so nself cannot build it`,
        )
        this.skip()
      }
      await pullRoundTrip(file, await parsedModel(readFileSync(join(FIXTURES, file), 'utf8'), file))
    })
  }
  for (const pair of pairs) it(`pair B side: ${pair.name}`, () => pullRoundTrip(pair.name, pair.b))
})
