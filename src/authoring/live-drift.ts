/**
 * Drift (`db diff --live`): the live database against the state its applied migrations should have
 * produced. The live side is read by the introspection `db pull` uses, with the project's spelling
 * kept where PostgreSQL confirms it means the same (so a database the migrations built has no
 * drift), and diffed against the newest applied snapshot. The drift is reported as the changes
 * that would turn the live database into what the migrations say, in the words `db run` uses.
 *
 * Only what the model holds is compared (tables, columns, keys, checks, indexes, enums, notes); what
 * DBML cannot express (views, functions, triggers, policies, grants, ...) is not.
 */
import type {Client} from 'pg'
import {UsageError} from '@nself/sdk/errors'
import {SEED_TABLE} from '../seed/status.js'
import {type ChangeKind, diffSchemas} from '../diff/index.js'
import {PLATFORM_SCHEMAS, introspect} from '../introspect/index.js'
import {listSchemas} from '../introspect/queries.js'
import {preferPreviousSpelling} from '../introspect/spelling.js'
import type {SchemaModel} from '../schema/model.js'
import {newestVersion} from '../runner/history.js'
import {type MigrationsState, readMigrationsState, readSnapshot} from './generated.js'

/** One change that would make the live database match the migrations. */
export interface DriftChange {
  kind: ChangeKind
  object: string
  /** "add column public.users.bio (text)", as `db run` words it. */
  summary: string
  /** The statements, without the trailing semicolon. */
  sql: string[]
  /** Applying it would lose data (what the live database has and the migrations do not). */
  destructive: boolean
}

export interface LiveDrift {
  /** The snapshot the database was compared with. */
  expectedVersion: string
  drift: DriftChange[]
  /** Things the user should know about the comparison (no history table, hand-written migrations). */
  warnings: string[]
}

export interface LiveDriftOptions {
  migrationsDir: string
  /** DB_MIGRATION_TABLE. */
  historyTable: string
}

export async function liveDrift(client: Client, options: LiveDriftOptions): Promise<LiveDrift> {
  const warnings: string[] = []
  const state = await readMigrationsState(options.migrationsDir)
  const {version, model: expected} = await expectedSnapshot(client, options, state, warnings)
  const live = await liveModel(client, expected, options.historyTable)
  const drift = diffSchemas(live, expected).map((c) => ({
    kind: c.kind,
    object: c.object,
    summary: c.summary,
    sql: c.up,
    destructive: c.destructive,
  }))
  return {expectedVersion: version, drift, warnings}
}

/**
 * The live database as a model: every user schema, plus the platform schemas' tables the
 * migrations declare (the rest of auth, storage and hdb_catalog belongs to the platform), without
 * nself's own bookkeeping tables (migration history, seed status) unless the migrations declare them.
 */
async function liveModel(client: Client, expected: SchemaModel, historyTable: string): Promise<SchemaModel> {
  const declared = new Set(expected.tables.map((t) => `${t.schema}.${t.name}`))
  const declaredEnums = new Set(expected.enums.map((e) => `${e.schema}.${e.name}`))
  const history = historyTable.includes('.') ? historyTable : `public.${historyTable}`
  const ownTables = [history, `public.${SEED_TABLE}`].filter((t) => !declared.has(t))
  const used = new Set([
    ...expected.schemas,
    ...expected.tables.map((t) => t.schema),
    ...expected.enums.map((e) => e.schema),
  ])
  const schemas = (await listSchemas(client)).filter((s) => !PLATFORM_SCHEMAS.includes(s) || used.has(s))
  const read = await introspect(client, {schemas, ownTables})
  const platform = (schema: string): boolean => PLATFORM_SCHEMAS.includes(schema)
  const model: SchemaModel = {
    ...read.model,
    schemas: read.model.schemas.filter((s) => !platform(s) || used.has(s)),
    tables: read.model.tables.filter((t) => !platform(t.schema) || declared.has(`${t.schema}.${t.name}`)),
    enums: read.model.enums.filter((e) => !platform(e.schema) || declaredEnums.has(`${e.schema}.${e.name}`)),
  }
  return preferPreviousSpelling(client, model, read.rawDefaults, expected)
}

/**
 * The newest snapshot at or before the newest applied migration (from the history table when the
 * runner has created it), else the newest snapshot. Applied hand-written migrations after it have
 * no snapshot, so what they changed in tables, columns, keys, indexes or enums shows up as drift:
 * the user is told which ones.
 */
async function expectedSnapshot(
  client: Client,
  options: LiveDriftOptions,
  state: MigrationsState,
  warnings: string[],
): Promise<{version: string; model: SchemaModel}> {
  if (!state.latest)
    throw new UsageError('There is no generated migration to compare with yet.', {hint: 'Run `nself db run` first.'})
  const applied = await newestVersion(client, options.historyTable)
  if (applied === undefined) {
    warnings.push(
      `no migration history table (${options.historyTable}): comparing with the newest migration, ${state.latest.version}`,
    )
    return state.latest
  }
  const version = state.snapshots.filter((v) => Number(v) <= Number(applied)).at(-1)
  if (version === undefined) throw new UsageError(`No snapshot at or before the applied migration ${applied}.`)
  const handWritten = state.migrations.filter(
    (m) => Number(m.version) > Number(version) && Number(m.version) <= Number(applied),
  )
  if (handWritten.length > 0) {
    const names = handWritten.map((m) => `${m.version}_${m.name}`).join(', ')
    warnings.push(
      `applied migration${handWritten.length === 1 ? '' : 's'} ${names} ha${handWritten.length === 1 ? 's' : 've'} no snapshot (hand-written): ` +
        `the database is compared with snapshot ${version}, so what ${handWritten.length === 1 ? 'it' : 'they'} changed in tables, columns, keys, indexes or enums is listed as drift`,
    )
  }
  return {
    version,
    model: version === state.latest.version ? state.latest.model : await readSnapshot(options.migrationsDir, version),
  }
}
