/**
 * Drift: the live database against the state its applied migrations should have produced.
 * The expected state is built for real, from the migration snapshot, in a scratch database on the
 * same server (as Prisma's shadow database does), and both are read from pg_catalog and compared
 * row by row. Building it for real means types, defaults and index definitions are compared in
 * PostgreSQL's own spelling, with nothing to normalise by hand.
 */
import {SEED_TABLE} from '../seed/status.js'
import type {Client} from 'pg'
import {UsageError} from '@nself/sdk/errors'
import {withTransaction} from '@nself/sdk/sql'
import type {CatalogSnapshot} from '../db/catalog.js'
import {readCatalog} from '../db/catalog.js'
import {diffSchemas, emptyModel} from '../diff/index.js'
import type {SchemaModel} from '../schema/model.js'
import {transactionGroups, upSteps} from '../diff/steps.js'
import {newestVersion} from '../runner/history.js'
import {readMigrationsState, readSnapshot} from './generated.js'
import {type ConnectTo, withScratchDatabase} from './scratch.js'

export interface DriftItem {
  kind: 'missing' | 'unexpected' | 'different'
  category: 'schema' | 'table' | 'column' | 'constraint' | 'index' | 'enum'
  object: string
  /** "type: expected integer, found bigint; not_null: expected true, found false" */
  detail: string
}

/** A catalog row: the names that identify it (text columns), and the fields compared. */
type Row = {schema: string; name: string; table?: string; [field: string]: unknown}
type Category = Exclude<DriftItem['category'], 'schema'>

const KEYS: Record<Category, (r: Row) => string> = {
  table: (r) => `${r.schema}.${r.name}`,
  column: (r) => `${r.schema}.${r.table}.${r.name}`,
  constraint: (r) => `${r.schema}.${r.table}.${r.name}`,
  index: (r) => `${r.schema}.${r.name}`,
  enum: (r) => `${r.schema}.${r.name}`,
}

const FIELDS: Record<Category, keyof CatalogSnapshot> = {
  table: 'tables',
  column: 'columns',
  constraint: 'constraints',
  index: 'indexes',
  enum: 'enums',
}

/** Which live objects the comparison looks at (platform tables and the history table are not ours). */
export type Scope = (schema: string, table: string | undefined) => boolean

export function compareCatalogs(expected: CatalogSnapshot, actual: CatalogSnapshot, inScope: Scope): DriftItem[] {
  const items: DriftItem[] = []
  const missingSchemas = expected.schemas.filter((s) => !actual.schemas.includes(s))
  for (const s of missingSchemas) items.push({kind: 'missing', category: 'schema', object: s, detail: 'schema not found'})
  for (const category of Object.keys(KEYS) as Category[]) {
    const field = FIELDS[category]
    const rows = (snapshot: CatalogSnapshot) =>
      new Map((snapshot[field] as Row[]).filter((r) => inScope(String(r.schema), tableOf(category, r))).map((r) => [KEYS[category](r), r]))
    items.push(...compareRows(category, rows(expected), rows(actual)))
  }
  return items
}

function tableOf(category: Category, r: Row): string | undefined {
  if (category === 'table') return String(r.name)
  if (category === 'enum') return undefined
  return String(r.table)
}

function compareRows(category: Category, expected: Map<string, Row>, actual: Map<string, Row>): DriftItem[] {
  const items: DriftItem[] = []
  for (const [key, row] of expected) {
    const live = actual.get(key)
    if (!live) {
      items.push({kind: 'missing', category, object: key, detail: `${category} not found`})
      continue
    }
    const differences = Object.keys(row)
      .filter((f) => JSON.stringify(row[f]) !== JSON.stringify(live[f]))
      .map((f) => `${f}: expected ${show(row[f])}, found ${show(live[f])}`)
    if (differences.length > 0) items.push({kind: 'different', category, object: key, detail: differences.join('; ')})
  }
  for (const key of actual.keys()) {
    if (!expected.has(key)) items.push({kind: 'unexpected', category, object: key, detail: `${category} not in the migrations`})
  }
  return items
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Builds `model` from nothing in an empty (scratch) database and reads its catalog. */
export async function expectedCatalog(scratch: Client, model: SchemaModel): Promise<CatalogSnapshot> {
  // From nothing every statement is transactional (no CONCURRENTLY on new tables): one transaction.
  for (const group of transactionGroups(upSteps(diffSchemas(emptyModel(), model)))) {
    await withTransaction(scratch, async () => {
      for (const statement of group.statements) await scratch.query(statement)
    })
  }
  return readCatalog(scratch)
}

/** Platform schemas are compared only for the tables the model declares there. */
export function modelScope(model: SchemaModel, historyTable: string): Scope {
  const declared = new Set(model.tables.map((t) => `${t.schema}.${t.name}`))
  const platform = new Set(['auth', 'storage', 'hdb_catalog'])
  const history = historyTable.includes('.') ? historyTable : `public.${historyTable}`
  // nself's own bookkeeping (migration history, seed status) is never drift.
  const own = new Set([history, `public.${SEED_TABLE}`])
  return (schema, table) => {
    if (table !== undefined && own.has(`${schema}.${table}`) && !declared.has(`${schema}.${table}`)) return false
    if (!platform.has(schema)) return true
    return table !== undefined && declared.has(`${schema}.${table}`)
  }
}

export interface LiveDrift {
  /** The snapshot the database was compared with. */
  expectedVersion: string
  drift: DriftItem[]
  /** Things the user should know about the comparison (e.g. no history table). */
  warnings: string[]
}

export interface LiveDriftOptions {
  migrationsDir: string
  /** DB_MIGRATION_TABLE. */
  historyTable: string
  /** Opens a connection to the scratch database. */
  connectTo: ConnectTo
}

/** The live database (client) against the state its applied migrations should have produced. */
export async function liveDrift(client: Client, options: LiveDriftOptions): Promise<LiveDrift> {
  const warnings: string[] = []
  const version = await expectedVersion(client, options, warnings)
  const model = await readSnapshot(options.migrationsDir, version)
  const expected = await withScratchDatabase(client, options.connectTo, 'drift', (scratch) => expectedCatalog(scratch, model))
  const drift = compareCatalogs(expected, await readCatalog(client), modelScope(model, options.historyTable))
  return {expectedVersion: version, drift, warnings}
}

/**
 * The newest snapshot at or before the newest applied migration (from the history table when
 * the runner has created it), else the newest snapshot.
 */
async function expectedVersion(client: Client, options: LiveDriftOptions, warnings: string[]): Promise<string> {
  const state = await readMigrationsState(options.migrationsDir)
  if (!state.latest) throw new UsageError('There is no generated migration to compare with yet.', {hint: 'Run `nself db run` first.'})
  const applied = await newestVersion(client, options.historyTable)
  if (applied === undefined) {
    warnings.push(`no migration history table (${options.historyTable}): comparing with the newest migration, ${state.latest.version}`)
    return state.latest.version
  }
  const version = state.snapshots.filter((v) => Number(v) <= Number(applied)).at(-1)
  if (version === undefined) throw new UsageError(`No snapshot at or before the applied migration ${applied}.`)
  return version
}
