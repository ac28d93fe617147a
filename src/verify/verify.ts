/**
 * Proves a migration pair on a throwaway database before anything is written:
 *   1. every existing migration, then the new up; the catalog must equal B built from nothing;
 *   2. the new down; the catalog must equal the one after the existing migrations (A);
 *   3. the up once more; B again (the down left nothing behind).
 * Catalogs are read from pg_catalog and compared as `db diff --live` compares them. A server
 * error on a generated statement is reported at the DBML line that produced it.
 */
import {relative} from 'node:path'
import type {Client} from 'pg'
import {ValidationError} from '@nself/sdk/errors'
import type {CatalogSnapshot} from '../db/catalog.js'
import {readCatalog} from '../db/catalog.js'
import type {Change} from '../diff/change.js'
import {type ChangeStep as Step, downSteps, upSteps} from '../diff/steps.js'
import {diffSchemas} from '../diff/diff.js'
import {emptyModel} from '../schema/model.js'
import {type DriftItem, compareCatalogs, expectedCatalog} from '../authoring/drift.js'
import type {MigrationFile} from '../runner/files.js'
import type {SchemaModel} from '../schema/model.js'
import {type FileStatement, StatementError, fileStatements, runStatements, runSteps} from './apply.js'
import {locateError} from './locate.js'
import {type VerifyServer, emptyDatabase, serverVersion, withScratchDatabase} from './server.js'

export interface PairInput {
  /** Migrations already in the folder, applied first (oldest first). */
  existing: MigrationFile[]
  changes: Change[]
  to: SchemaModel
  /** How messages name the schema file: "database/schema.dbml". */
  schemaFile: string
  /** Built from nothing after `existing`, as the state A the pair starts from (tests; `existing` is the usual way). */
  from?: SchemaModel
  /** Hand-written migrations without a snapshot are applied but not part of B: their objects are not "unexpected". */
  lenient?: boolean
}

export interface Verified {
  server: string
  ms: number
}

export async function verifyPair(server: VerifyServer, input: PairInput): Promise<Verified> {
  const started = Date.now()
  // One scratch database for everything: creating a database costs more than the checks.
  return withScratchDatabase(server, async (db) => {
    for (const m of input.existing) await applyExisting(db, m)
    if (input.from) await runSteps(db, upSteps(diffSchemas(emptyModel(), input.from)))
    const a = await readCatalog(db)
    const objectsOfA = await objectNames(db)
    await applyNew(db, upSteps(input.changes), input, 'up')
    const afterUp = await readCatalog(db)
    await applyNew(db, downSteps(input.changes), input, 'down')
    expectSame(a, await readCatalog(db), 'the down does not give back the previous state', false)
    // The up once more proves the down left nothing behind that the up trips over. When every
    // object is back under its name (relations, sequences, types, functions, schemas), the up would
    // run on the very state it ran on first and so give the same: running it again is redundant.
    if (!sameList(objectsOfA, await objectNames(db))) {
      await applyNew(db, upSteps(input.changes), input, 'up')
      expectSame(afterUp, await readCatalog(db), 'the up after the down does not give what the first up gave', false)
    }
    const version = await serverVersion(db)
    // B as built from nothing, in the same database once it is emptied: the up must give exactly
    // that. From an empty start the up is that very build (the same statements), so it is skipped.
    if (input.existing.length > 0 || (input.from && input.from.tables.length + input.from.enums.length > 0)) {
      await emptyDatabase(db)
      expectSame(await expectedCatalog(db, input.to), afterUp, 'the up does not give the schema', input.lenient)
    }
    return {server: version, ms: Date.now() - started}
  })
}

async function applyExisting(db: Client, m: MigrationFile): Promise<void> {
  try {
    await runStatements(db, fileStatements(m.upFile))
  } catch (error) {
    if (!(error instanceof StatementError)) throw error
    const s = error.item as FileStatement
    throw new ValidationError(
      `${shown(s.file)}:${s.line}: ${error.cause.message} (existing migration ${m.version}_${m.name}, applied on a scratch database to verify the new one)`,
      {
        code: 'NSELF_VERIFY_FAILED',
        hint: 'The migrations already in the folder do not apply on an empty database: fix that migration first.',
      },
    )
  }
}

async function applyNew(db: Client, steps: Step[], input: PairInput, direction: 'up' | 'down'): Promise<void> {
  try {
    await runSteps(db, steps)
  } catch (error) {
    if (!(error instanceof StatementError)) throw error
    const step = error.item as Step
    const where =
      direction === 'up'
        ? locateError(error.cause, step.sql, step.change, input.to, input.schemaFile)
        : `down of "${step.change.summary}": ${error.cause.message}`
    throw new ValidationError(`${where}\n  statement: ${firstLine(step.sql)}`, {
      code: 'NSELF_VERIFY_FAILED',
      hint: `The ${direction} failed on a scratch database, so nothing was written. ${advice(error.cause.code, direction)}`,
    })
  }
}

function advice(code: string | undefined, direction: 'up' | 'down'): string {
  // 53200: one transaction locks more objects than max_locks_per_transaction allows; so would migrate:${direction}.
  if (code === '53200')
    return `The ${direction} touches more objects in one transaction than the server's lock table holds: raise max_locks_per_transaction, or split the change into smaller migrations.`
  return direction === 'up' ? 'Fix the schema and run this again.' : 'Report this: the generated down is wrong.'
}

/** Kind and name of every object in the user's schemas (OIDs, comments and column order aside). */
async function objectNames(db: Client): Promise<string[]> {
  const user = `NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`
  const {rows} = await db.query<{o: string}>(`
    SELECT 'schema ' || n.nspname AS o FROM pg_namespace n WHERE n.nspname ${user}
    UNION ALL SELECT 'relation ' || c.relkind::text || ' ' || n.nspname || '.' || c.relname
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ${user}
    UNION ALL SELECT 'type ' || t.typtype::text || ' ' || n.nspname || '.' || t.typname
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname ${user}
    UNION ALL SELECT 'function ' || p.oid::regprocedure::text
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname ${user}
    UNION ALL SELECT 'constraint ' || n.nspname || '.' || con.conname || ' on ' || con.conrelid::regclass::text || con.contypid::regtype::text
      FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE n.nspname ${user}
    UNION ALL SELECT 'trigger ' || tg.tgname || ' on ' || tg.tgrelid::regclass::text FROM pg_trigger tg
      JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ${user}
    UNION ALL SELECT 'extension ' || extname FROM pg_extension
    ORDER BY 1`)
  return rows.map((r) => r.o)
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function expectSame(
  expected: CatalogSnapshot,
  actual: CatalogSnapshot,
  what: string,
  lenient: boolean | undefined,
): void {
  const items = compareCatalogs(expected, actual, () => true).filter((d) => !lenient || d.kind !== 'unexpected')
  if (items.length === 0) return
  throw new ValidationError(`${what} (verified on a scratch database, nothing written):\n${describeDrift(items)}`, {
    code: 'NSELF_VERIFY_MISMATCH',
    hint: 'This is a bug in the generated SQL: please report it with the schema. --no-verify writes the files anyway.',
  })
}

export function describeDrift(items: DriftItem[]): string {
  return items.map((d) => `  ${d.kind} ${d.category} ${d.object}: ${d.detail}`).join('\n')
}

function firstLine(sql: string): string {
  const line = sql.split('\n')[0]
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}

function shown(file: string): string {
  return relative(process.cwd(), file) || file
}
