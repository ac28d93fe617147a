/**
 * Session settings shared by backup and restore. COPY's text output depends on them, so both sides
 * fix them: the table checksums in the manifest are then reproducible, and values round-trip exactly
 * (extra_float_digits 3, bytea hex, ISO dates, UTC). search_path = pg_catalog makes the catalog
 * functions qualify every name, as pg_dump does.
 */
import type {Client} from 'pg'
import {quoteIdent, withTransaction} from '@nself/sdk/sql'

export const SESSION_SETTINGS = [
  `SET LOCAL search_path = pg_catalog`,
  `SET LOCAL DateStyle = 'ISO, YMD'`,
  `SET LOCAL IntervalStyle = 'postgres'`,
  `SET LOCAL TimeZone = 'UTC'`,
  `SET LOCAL extra_float_digits = 3`,
  `SET LOCAL bytea_output = 'hex'`,
  `SET LOCAL standard_conforming_strings = on`,
]

/** fn in one transaction (mode: its isolation level) with the session settings above. */
export function inSession<T>(client: Client, mode: string, fn: () => Promise<T>): Promise<T> {
  return withTransaction(client, fn, {mode, setup: SESSION_SETTINGS})
}

export async function serverVersion(client: Client): Promise<{version: string; versionNum: number}> {
  const {rows} = await client.query<{version: string; num: string}>(
    `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num`,
  )
  return {version: rows[0].version.split(' ')[0], versionNum: Number(rows[0].num)}
}

/**
 * The last applied migration, read from DB_MIGRATION_TABLE when it exists. The runner owns that
 * table's layout, so this looks for the usual column names rather than one exact shape.
 */
export async function lastMigration(client: Client, table: string): Promise<string | null> {
  const name = table.includes('.') ? table : `public.${table}`
  const {rows} = await client.query<{columns: string[] | null}>(
    `SELECT array_agg(attname::text ORDER BY attnum) AS columns FROM pg_catalog.pg_attribute
      WHERE attrelid = pg_catalog.to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    [name],
  )
  const columns = rows[0]?.columns
  if (!columns) return null
  const value = ['version', 'name', 'id', 'migration', 'filename'].find((c) => columns.includes(c)) ?? columns[0]
  const order = ['applied_at', 'executed_at', 'run_on', 'installed_on', 'created_at'].find((c) => columns.includes(c))
  const [schema, relation] = name.split('.')
  const q = quoteIdent
  const last = await client.query<{v: string}>(
    `SELECT ${q(value)}::text AS v FROM ${q(schema)}.${q(relation)} ORDER BY ${order ? `${q(order)} DESC, ` : ''}${q(value)} DESC LIMIT 1`,
  )
  return last.rows[0]?.v ?? null
}
