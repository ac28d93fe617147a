/**
 * The history table (DB_MIGRATION_TABLE, default schema_migrations): one row per migration.
 * A row with statements_done NULL is applied. A row with statements_done = N is a migration that
 * holds non-transactional steps and stopped part way (crash, kill, failure): its first N
 * statements are done and migrate:up continues from statement N+1.
 */
import type {Client} from 'pg'
import {ValidationError} from '@nself/sdk/errors'
import {quoteIdent, quoteLiteral, quoteQualified} from '@nself/sdk/sql'

export interface HistoryRow {
  version: string
  name: string
  checksum: string
  appliedAt: Date
  executionMs: number
  appliedBy: string
  /** Undefined when complete; the number of statements done for a partial run. */
  statementsDone?: number
}

const COLUMNS = ['version', 'name', 'checksum', 'applied_at', 'execution_ms', 'applied_by', 'statements_done']

/** DB_MIGRATION_TABLE ("table" or "schema.table") quoted for SQL. */
export function quoteTable(table: string): string {
  return quoteQualified(...table.split('.'))
}

function parts(table: string): {schema: string | null; name: string} {
  const [a, b] = table.split('.')
  return b === undefined ? {schema: null, name: a} : {schema: a, name: b}
}

export function createTableSql(table: string): string {
  const {schema} = parts(table)
  return `${schema ? `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};\n` : ''}CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  execution_ms integer NOT NULL DEFAULT 0,
  applied_by text NOT NULL,
  statements_done integer
)`
}

/** Columns of the table, or undefined when it does not exist (one catalog query, no DDL). */
async function tableColumns(client: Client, table: string): Promise<string[] | undefined> {
  const {schema, name} = parts(table)
  const {rows} = await client.query<{cols: string[] | null}>(
    `SELECT (SELECT array_agg(attname::text) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped) AS cols
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND c.relkind IN ('r', 'p')
        AND (CASE WHEN $2::text IS NULL THEN n.nspname = ANY (current_schemas(false)) ELSE n.nspname = $2 END)
      ORDER BY array_position(current_schemas(false), n.nspname::name) LIMIT 1`,
    [name, schema],
  )
  return rows[0] ? (rows[0].cols ?? []) : undefined
}

/** Whether the table exists; refuses a same-named table of another tool (dbmate, Rails use schema_migrations too). */
export async function historyExists(client: Client, table: string): Promise<boolean> {
  const cols = await tableColumns(client, table)
  if (!cols) return false
  const missing = COLUMNS.filter((c) => !cols.includes(c))
  if (missing.length) {
    throw new ValidationError(
      `table ${table} exists but is not an nself history table (no column ${missing.join(', ')})`,
      {
        hint: 'Another migration tool may own it. Set DB_MIGRATION_TABLE to another name (e.g. nself_migrations).',
      },
    )
  }
  return true
}

/**
 * Creates the table if needed and returns its schema-qualified name. The runner records progress
 * under that name: a migration that runs `SET search_path = …` must not send the history rows
 * (or the lookup) to another schema.
 */
export async function ensureHistory(client: Client, table: string): Promise<string> {
  if (!(await historyExists(client, table))) await client.query(createTableSql(table))
  const {rows} = await client.query<{schema: string}>(
    'SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)',
    [quoteTable(table)],
  )
  return `${rows[0].schema}.${parts(table).name}`
}

export async function readHistory(client: Client, table: string): Promise<HistoryRow[]> {
  if (!(await historyExists(client, table))) return []
  const {rows} = await client.query<{
    version: string
    name: string
    checksum: string
    applied_at: Date
    execution_ms: number
    applied_by: string
    statements_done: number | null
  }>(`SELECT version, name, checksum, applied_at, execution_ms, applied_by, statements_done FROM ${quoteTable(table)}`)
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    checksum: r.checksum,
    appliedAt: r.applied_at,
    executionMs: r.execution_ms,
    appliedBy: r.applied_by,
    statementsDone: r.statements_done ?? undefined,
  }))
}

/** How long the current transaction has run, in ms: nself.t0 is set by runTransactions when it begins. */
export const TRANSACTION_MS_SQL =
  "(extract(epoch FROM clock_timestamp() - current_setting('nself.t0')::timestamptz) * 1000)::int"

export interface RecordValues {
  version: string
  name: string
  checksum: string
  /** 'server': measured by the server, for a record inside the transaction that runTransactions started. */
  executionMs: number | 'server'
  appliedBy: string
  /** null: applied completely. */
  statementsDone: number | null
}

/** The upsert that records progress, as SQL text with literals: it rides in the same simple-query batch as the migration. */
export function recordSql(table: string, v: RecordValues): string {
  const lit = quoteLiteral
  const done = v.statementsDone === null ? 'NULL' : String(v.statementsDone)
  const ms = v.executionMs === 'server' ? TRANSACTION_MS_SQL : String(Math.round(v.executionMs))
  return `INSERT INTO ${quoteTable(table)} (version, name, checksum, execution_ms, applied_by, statements_done)
VALUES (${lit(v.version)}, ${lit(v.name)}, ${lit(v.checksum)}, ${ms}, ${lit(v.appliedBy)}, ${done})
ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, applied_at = now(),
  execution_ms = ${quoteTable(table)}.execution_ms + EXCLUDED.execution_ms, applied_by = EXCLUDED.applied_by, statements_done = EXCLUDED.statements_done`
}

export function deleteSql(table: string, version: string): string {
  return `DELETE FROM ${quoteTable(table)} WHERE version = ${quoteLiteral(version)}`
}

/** The newest version in the history, or undefined when there is no history table (or no row). */
export async function newestVersion(client: Client, table: string): Promise<string | undefined> {
  if (!(await historyExists(client, table))) return undefined
  const {rows} = await client.query<{v: string | null}>(`SELECT max(version)::text AS v FROM ${quoteTable(table)}`)
  return rows[0]?.v ?? undefined
}

export async function setChecksum(client: Client, table: string, version: string, checksum: string): Promise<number> {
  const result = await client.query(`UPDATE ${quoteTable(table)} SET checksum = $2 WHERE version = $1`, [
    version,
    checksum,
  ])
  return result.rowCount ?? 0
}

export async function clearHistory(client: Client, table: string): Promise<number> {
  if (!(await historyExists(client, table))) return 0
  const result = await client.query(`DELETE FROM ${quoteTable(table)}`)
  return result.rowCount ?? 0
}
