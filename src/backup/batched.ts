/**
 * Restoring a schema too big for one transaction. Every table, index and sequence a transaction
 * drops or creates holds a slot of the server's shared lock table until it ends, and that table has
 * max_locks_per_transaction × (max_connections + max_prepared_transactions) slots (6,400 by
 * default): a one-transaction restore of a few thousand tables cannot fit.
 *
 * So a big restore runs as a series of transactions, each under a share of the lock table, and
 * stays all-or-nothing as the user sees it:
 *   1. a safety backup of the current state is taken (or the one the command just took is used);
 *   2. a journal row naming it is committed (schema nself_restore, which backups and drops skip);
 *   3. the batches run: drop, schema, data, keys and indexes, sequences; the last one also deletes
 *      the journal, so the journal exists exactly while the database is part-way;
 *   4. on any failure the safety backup is restored the same way and the error says so;
 *   5. after a kill -9 or a crash the journal is still there: the next nself command that connects
 *      restores the safety backup before it does anything else (recoverInterruptedRestore).
 */
import {existsSync} from 'node:fs'
import {basename, join} from 'node:path'
import type {Client} from 'pg'
import {NselfError, OperationError} from '@nself/sdk/errors'
import {quoteLiteral, quoteQualified, splitSql, withTransaction} from '@nself/sdk/sql'
import type {NselfConfig} from '../config/index.js'
import {projectSchemas, RESTORE_JOURNAL_SCHEMA, setvalSql, type SchemaScript} from './catalog.js'
import {dropProjectObjectsSql} from './drop.js'
import {EXTENSION, type Manifest} from './format.js'
import {inSession} from './session.js'

/** Told before each transaction of a batched restore (progress; tests fail a late batch from here). */
export type BatchListener = (batch: {index: number; total: number; step: string}) => void | Promise<void>

export const JOURNAL = `${RESTORE_JOURNAL_SCHEMA}.journal`

/** Slots of the server's shared lock table, and the share one restore transaction may take. */
export async function lockBudget(client: Client): Promise<{slots: number; perTransaction: number}> {
  const {rows} = await client.query<{slots: number}>(
    `SELECT pg_catalog.current_setting('max_locks_per_transaction')::int
            * (pg_catalog.current_setting('max_connections')::int + pg_catalog.current_setting('max_prepared_transactions')::int) AS slots`,
  )
  const slots = Number(rows[0].slots)
  // A quarter: other sessions (and autovacuum) need slots of the same table meanwhile.
  return {slots, perTransaction: Math.max(64, Math.floor(slots / 4))}
}

/**
 * Locks a one-transaction restore takes, roughly: every relation of the schemas it drops (tables,
 * their indexes, TOAST tables, sequences, views) and, for what it creates, about five per table
 * (table, TOAST table and index, key index, sequence) plus one per other statement.
 */
export async function estimateLocks(
  client: Client,
  schemas: string[],
  manifest: Manifest,
  script: SchemaScript,
): Promise<number> {
  const {rows} = await client.query<{n: number}>(
    `SELECT count(*)::int AS n FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY ($1) OR c.oid IN (SELECT t.reltoastrelid FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace WHERE tn.nspname = ANY ($1))`,
    [schemas],
  )
  const statements = manifest.method === 'pg_dump' ? 0 : script.pre.length + script.post.length
  return Number(rows[0].n) * 2 + manifest.tables.length * 5 + manifest.sequences.length + statements
}

/** Items grouped into transactions of at most `budget` weight each. */
function chunk<T>(items: T[], weight: (item: T) => number, budget: number): T[][] {
  const out: T[][] = []
  let current: T[] = []
  let used = 0
  for (const item of items) {
    const w = Math.max(1, weight(item))
    if (current.length > 0 && used + w > budget) {
      out.push(current)
      current = []
      used = 0
    }
    current.push(item)
    used += w
  }
  if (current.length > 0) out.push(current)
  return out
}

/**
 * Relations to drop one by one before the DO block drops the rest: views first, then tables with
 * the number of relations each drags along (indexes, TOAST, owned sequences) as its weight.
 */
async function dropStatements(client: Client, schemas: string[] | undefined): Promise<{sql: string; weight: number}[]> {
  const {rows} = await client.query<{kind: string; schema: string; name: string; weight: number}>(
    `SELECT c.relkind AS kind, n.nspname AS schema, c.relname AS name,
            1 + (SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid)::int
              + CASE WHEN c.reltoastrelid <> 0 THEN 2 ELSE 0 END
              + (SELECT count(*) FROM pg_catalog.pg_depend d WHERE d.refobjid = c.oid AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i'))::int
              + (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.confrelid = c.oid AND k.conrelid <> c.oid)::int AS weight
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND ($1::text[] IS NULL OR n.nspname = ANY ($1))
        AND n.nspname IN (SELECT unnest($2::text[]))
        AND c.relkind IN ('v', 'm', 'r', 'p', 'f') AND NOT c.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY CASE c.relkind WHEN 'v' THEN 0 WHEN 'm' THEN 1 ELSE 2 END, 2, 3`,
    [schemas ?? null, await projectSchemas(client)],
  )
  const what = (kind: string) => ({v: 'VIEW', m: 'MATERIALIZED VIEW', f: 'FOREIGN TABLE'})[kind] ?? 'TABLE'
  return rows.map((r) => ({
    sql: `DROP ${what(r.kind)} IF EXISTS ${quoteQualified(r.schema, r.name)} CASCADE`,
    weight: Number(r.weight),
  }))
}

/**
 * pg_restore's script split into statements, each batch starting with the session settings
 * (SET LOCAL, set_config) that came before it: they end with each transaction.
 */
function archiveBatches(sql: string, perBatch: number): string[] {
  const settings = new Map<string, string>()
  const batches: string[] = []
  let current: string[] = []
  let prefix: string[] = []
  for (const {sql: statement} of splitSql(sql)) {
    const setting =
      /^SET LOCAL (\w+)/i.exec(statement)?.[1] ?? /^SELECT pg_catalog\.set_config\('([^']+)'/.exec(statement)?.[1]
    if (setting) {
      settings.set(setting, statement)
      continue
    }
    if (current.length === 0) prefix = [...settings.values()]
    current.push(statement)
    if (current.length >= perBatch) {
      batches.push([...prefix, ...current].join(';\n'))
      current = []
    }
  }
  if (current.length > 0) batches.push([...prefix, ...current].join(';\n'))
  return batches
}

export interface BatchedInput {
  manifest: Manifest
  script: SchemaScript
  /** Schemas whose objects are dropped (undefined: every project schema, --clean). */
  dropSchemas?: string[]
  lockTimeoutSeconds: number
  /** Loads one table of script.tables (by index) on the client, inside the current transaction. */
  loadTable: (index: number) => Promise<void>
  onBatch?: BatchListener
}

/** The transactions of a batched restore, run in order; the last one deletes the journal. */
export async function runBatches(client: Client, input: BatchedInput): Promise<void> {
  const {perTransaction} = await lockBudget(client)
  const perStatement = Math.max(1, Math.floor(perTransaction / 8))
  const steps: {label: string; run: () => Promise<void>}[] = []
  const sqlStep = (label: string, sql: string) => steps.push({label, run: async () => void (await client.query(sql))})

  for (const group of chunk(await dropStatements(client, input.dropSchemas), (d) => d.weight, perTransaction))
    sqlStep('drop', group.map((d) => d.sql).join(';\n'))
  sqlStep('drop', dropProjectObjectsSql(input.dropSchemas))
  const ddl = (label: string, statements: string[]) => {
    if (input.manifest.method === 'pg_dump')
      for (const batch of archiveBatches(statements.join('\n'), perStatement)) sqlStep(label, batch)
    else for (const group of chunk(statements, () => 1, perStatement)) sqlStep(label, group.join(';\n'))
  }
  ddl('schema', input.script.pre)
  const tables = input.script.tables.map((_, i) => i)
  for (const group of chunk(tables, () => 4, perTransaction)) {
    steps.push({
      label: 'data',
      run: async () => {
        for (const i of group) await input.loadTable(i)
      },
    })
  }
  ddl('keys and indexes', input.script.post)
  for (const view of input.script.refresh ?? []) sqlStep('materialized views', `REFRESH MATERIALIZED VIEW ${view}`)
  const sequences = chunk(input.manifest.sequences, () => 1, perTransaction)
  for (const group of sequences) sqlStep('sequences', group.map(setvalSql).join(';\n'))
  steps.push({
    label: 'finish',
    run: async () => void (await client.query(`DROP SCHEMA IF EXISTS ${RESTORE_JOURNAL_SCHEMA} CASCADE`)),
  })

  for (const [index, step] of steps.entries()) {
    try {
      await inSession(client, 'ISOLATION LEVEL READ COMMITTED', async () => {
        await input.onBatch?.({index: index + 1, total: steps.length, step: step.label})
        await client.query(`SET LOCAL lock_timeout = '${input.lockTimeoutSeconds}s'`)
        await step.run()
      })
    } catch (error) {
      throw new BatchFailed(`batch ${index + 1} of ${steps.length}, ${step.label}`, error)
    }
  }
}

/** A batch that failed (its own transaction rolled back; the batches before it are committed). */
export class BatchFailed extends Error {
  constructor(
    readonly step: string,
    readonly failure: unknown,
  ) {
    super((failure as Error)?.message ?? String(failure))
  }
}

export interface Journal {
  backup: string
  safety: string
  startedAt: string
}

/** Commits the journal: from here until the last batch, the database counts as part-way. */
export async function writeJournal(client: Client, journal: Omit<Journal, 'startedAt'>): Promise<void> {
  await withTransaction(client, () =>
    client.query(`CREATE SCHEMA IF NOT EXISTS ${RESTORE_JOURNAL_SCHEMA};
CREATE TABLE IF NOT EXISTS ${JOURNAL} (backup text NOT NULL, safety text NOT NULL, started_at timestamptz NOT NULL DEFAULT pg_catalog.now());
DELETE FROM ${JOURNAL};
INSERT INTO ${JOURNAL} (backup, safety) VALUES (${quoteLiteral(journal.backup)}, ${quoteLiteral(journal.safety)})`),
  )
}

export async function readJournal(client: Client): Promise<Journal | undefined> {
  const {rows} = await client.query<{found: string | null}>(
    `SELECT pg_catalog.to_regclass(${quoteLiteral(JOURNAL)})::text AS found`,
  )
  if (!rows[0].found) return undefined
  const journal = await client.query<{backup: string; safety: string; started_at: Date}>(
    `SELECT backup, safety, started_at FROM ${JOURNAL} LIMIT 1`,
  )
  const row = journal.rows[0]
  return row ? {backup: row.backup, safety: row.safety, startedAt: row.started_at.toISOString()} : undefined
}

/** Where the journal's safety backup is now: its recorded path, or the same name in the backup folder. */
export function safetyPath(config: NselfConfig, journal: Journal): string | undefined {
  const candidates = [journal.safety, join(config.backupDir, basename(journal.safety))]
  return candidates.find((p) => p.endsWith(EXTENSION) && existsSync(p))
}

/** The error a failed batched restore ends with, after the safety backup was (or could not be) restored. */
export function batchedFailure(
  manifest: Manifest,
  step: string,
  error: unknown,
  safety: string,
  recovery: unknown,
): NselfError {
  const why = (error as Error).message
  if (recovery === undefined) {
    return new OperationError(
      `restoring ${manifest.name} failed (${step}: ${why}); the database was returned to its state before the restore from the safety backup ${basename(safety, EXTENSION)}`,
      {
        cause: error,
        hint: 'Nothing of the restore remains. Fix the cause and run the restore again.',
      },
    )
  }
  return new OperationError(
    `restoring ${manifest.name} failed (${step}: ${why}), and returning to the state before it failed too (${(recovery as Error).message})`,
    {
      cause: error,
      hint: `The database is part-way. The next nself db command returns it to its state before the restore from the safety backup ${basename(safety, EXTENSION)}; or restore another backup with nself db restore --name NAME.`,
    },
  )
}
