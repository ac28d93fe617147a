/**
 * Round trip of one schema pair A → B against a real PostgreSQL: B built from scratch is the
 * reference; A built from scratch, then the generated up, must give B's catalog; the down must
 * give A's again; the up once more must give B's (the down left nothing behind).
 */
import {expect} from 'chai'
import type pg from 'pg'
import {type Rename, diffSchemas, emptyModel} from '../../src/diff/index.js'
import {splitSql, withTransaction} from '@nself/sdk/sql'
import {NO_TRANSACTION_MARKER, renderMigration} from '../../src/authoring/generated.js'
import {type ChangeStep, downSteps, transactionGroups, upSteps} from '../../src/diff/steps.js'
import type {SchemaModel} from '../../src/schema/model.js'
import {readCatalog} from './catalog.js'
import {createTestDatabase} from './pg.js'
import {serverUrl} from './db.js'
import {verifyServer} from '../../src/verify/server.js'
import {verifyPair} from '../../src/verify/verify.js'

/** The verification `db run` does, on the harness server: every pair here goes through it too. */
export async function verifyAsDbRun(
  a: SchemaModel,
  b: SchemaModel,
  changes: ReturnType<typeof diffSchemas>,
  name: string,
): Promise<void> {
  const server = await verifyServer('', {NSELF_VERIFY_DATABASE_URL: await serverUrl()})
  await verifyPair(server, {existing: [], from: a, changes, to: b, schemaFile: name})
}

/** Runs statements as the runner would: transactional groups in BEGIN/COMMIT, the others alone. */
/** A generated file's statements, each transactional unless a no-transaction marker precedes it. */
export function generatedStatements(text: string): Array<{sql: string; transactional: boolean}> {
  const marker = NO_TRANSACTION_MARKER.replace(/^-- nself:/, '')
  return splitSql(text).map((s) => ({sql: s.sql, transactional: !s.markers.includes(marker)}))
}

export async function applySteps(
  client: pg.Client,
  steps: Array<Pick<ChangeStep, 'sql' | 'transactional'>>,
): Promise<void> {
  for (const group of transactionGroups(steps as ChangeStep[])) {
    if (!group.transactional) {
      for (const statement of group.statements) await runStatement(client, statement)
      continue
    }
    await withTransaction(client, async () => {
      for (const statement of group.statements) await runStatement(client, statement)
    })
  }
}

async function runStatement(client: pg.Client, statement: string): Promise<void> {
  try {
    await client.query(statement)
  } catch (error) {
    throw new Error(`${(error as Error).message}\n  in: ${statement}`)
  }
}

export async function buildFromScratch(client: pg.Client, model: SchemaModel): Promise<void> {
  await applySteps(client, upSteps(diffSchemas(emptyModel(), model)))
}

export interface Pair {
  name: string
  a: SchemaModel
  b: SchemaModel
  renames?: Rename[]
  /** SQL run on A before the up (rows that must survive). */
  seed?: string
  /** Checks after the up, with the rows in place. */
  verify?: (client: pg.Client) => Promise<void>
  /** Expected change kinds, to make sure the pair tests what it says. */
  kinds?: string[]
}

export async function roundTrip(pair: Pair): Promise<void> {
  const changes = diffSchemas(pair.a, pair.b, {renames: pair.renames})
  expect(changes, 'the pair must produce changes').to.not.be.empty
  for (const kind of pair.kinds ?? [])
    expect(
      changes.map((c) => c.kind),
      `change kinds of ${pair.name}`,
    ).to.include(kind)
  await verifyAsDbRun(pair.a, pair.b, changes, pair.name)
  const reference = await createTestDatabase()
  const db = await createTestDatabase()
  try {
    await buildFromScratch(reference.client, pair.b)
    const expectedB = await readCatalog(reference.client)
    await buildFromScratch(db.client, pair.a)
    const expectedA = await readCatalog(db.client)
    if (pair.seed) await db.client.query(pair.seed)
    // Applied from the rendered files, as the runner will: this also tests markers and splitting.
    const files = renderMigration(changes, '002_pair')
    const up = generatedStatements(files.up)
    const down = generatedStatements(files.down)
    expect(up.map((s) => s.sql)).to.deep.equal(upSteps(changes).map((s) => s.sql))
    expect(down.map((s) => s.sql)).to.deep.equal(downSteps(changes).map((s) => s.sql))
    await applySteps(db.client, up)
    expect(await readCatalog(db.client), 'after up = B from scratch').to.deep.equal(expectedB)
    if (pair.verify) await pair.verify(db.client)
    if (pair.seed) await truncateAll(db.client)
    await applySteps(db.client, down)
    expect(await readCatalog(db.client), 'after down = A from scratch').to.deep.equal(expectedA)
    await applySteps(db.client, up)
    expect(await readCatalog(db.client), 'after up again = B').to.deep.equal(expectedB)
  } finally {
    await reference.drop()
    await db.drop()
  }
}

/** Empties every user table, so a down that re-adds NOT NULL columns is not blocked by the seed. */
async function truncateAll(client: pg.Client): Promise<void> {
  const {rows} = await client.query(
    `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
  )
  if (rows.length > 0) await client.query(`TRUNCATE ${rows.map((r) => r.t).join(', ')} CASCADE`)
}
