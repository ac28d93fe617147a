/**
 * The seed status table: which file was applied in which environment, with what checksum, how many
 * rows and how long it took. A file whose checksum is recorded is not applied again unless asked.
 */
import {createHash} from 'node:crypto'
import {open} from 'node:fs/promises'
import type {Client} from 'pg'
import {discoverSeedFiles, parseSeedFileName, qualifiedName} from './files.js'

export const SEED_TABLE = 'nself_seeds'

export interface SeedRecord {
  environment: string
  file: string
  checksum: string
  rows: number
  appliedAt: Date
  ms: number
}

export interface SeedStatusEntry extends Partial<SeedRecord> {
  environment: string
  file: string
  /** applied: recorded and unchanged; changed: file differs from what was applied; pending: never applied; missing: applied, file gone. */
  state: 'applied' | 'changed' | 'pending' | 'missing' | 'recorded'
}

export async function ensureSeedTable(client: Client): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${SEED_TABLE} (
    environment text NOT NULL,
    file text NOT NULL,
    checksum text NOT NULL,
    rows bigint NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    ms integer NOT NULL,
    PRIMARY KEY (environment, file))`)
  // Which table the rows went into: a record of a table since dropped (migrate:down, reset) and
  // created again describes rows that are gone.
  await client.query(`ALTER TABLE ${SEED_TABLE} ADD COLUMN IF NOT EXISTS table_oid oid`)
}

export async function readSeedRecords(client: Client, environment?: string): Promise<SeedRecord[]> {
  const exists = await client.query<{ok: boolean}>('SELECT to_regclass($1) IS NOT NULL AS ok', [SEED_TABLE])
  if (!exists.rows[0].ok) return []
  // to_jsonb(s): table_oid is read where it exists; a status table written before it has none.
  const {rows} = await client.query<SeedRecord & {tableOid: string | null}>(
    `SELECT environment, file, checksum, rows::float8 AS rows, applied_at AS "appliedAt", ms, to_jsonb(s)->>'table_oid' AS "tableOid"
       FROM ${SEED_TABLE} s WHERE $1::text IS NULL OR environment = $1 ORDER BY environment, file`,
    [environment ?? null],
  )
  const current: SeedRecord[] = []
  for (const {tableOid, ...record} of rows) if (await stillThere(client, record, tableOid)) current.push(record)
  return current
}

/**
 * Whether the rows a record describes can still be there: its table exists, and is the very table
 * they went into (same oid), not one dropped and created again since. A record that is not is
 * left out, so its file counts as pending and the next seed run applies it again.
 */
async function stillThere(client: Client, record: SeedRecord, tableOid: string | null): Promise<boolean> {
  const table = tableOf(record)
  if (!table) return true
  const {rows} = await client.query<{oid: string | null}>(
    `SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', $1::text, $2::text))::oid::text AS oid`,
    [table.schema, table.table],
  )
  const oid = rows[0].oid
  return oid !== null && (tableOid === null || tableOid === oid)
}

function tableOf(record: {file: string; environment: string}): {schema: string; table: string} | undefined {
  try {
    return parseSeedFileName('', record.file, record.environment)
  } catch {
    return undefined // a record whose name no longer parses names no table
  }
}

export async function recordSeed(client: Client, record: Omit<SeedRecord, 'appliedAt'>): Promise<void> {
  const table = tableOf(record)
  await client.query(
    `INSERT INTO ${SEED_TABLE} (environment, file, checksum, rows, ms, table_oid)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::text IS NOT NULL THEN pg_catalog.to_regclass(pg_catalog.format('%I.%I', $6::text, $7::text))::oid END)
     ON CONFLICT (environment, file) DO UPDATE SET checksum = EXCLUDED.checksum, rows = EXCLUDED.rows, ms = EXCLUDED.ms, applied_at = now(), table_oid = EXCLUDED.table_oid`,
    [
      record.environment,
      record.file,
      record.checksum,
      record.rows,
      record.ms,
      table?.schema ?? null,
      table?.table ?? null,
    ],
  )
}

/**
 * Forget the records of files (any environment) whose table was just emptied: they must not be
 * skipped as "unchanged" next time, now that their rows are gone.
 */
export async function forgetTables(client: Client, tables: string[]): Promise<void> {
  const stale: {environment: string; file: string}[] = []
  for (const record of await readSeedRecords(client)) {
    try {
      if (tables.includes(qualifiedName(parseSeedFileName('', record.file, record.environment)))) stale.push(record)
    } catch {
      // a record whose name no longer parses names no table
    }
  }
  for (const {environment, file} of stale)
    await client.query(`DELETE FROM ${SEED_TABLE} WHERE environment = $1 AND file = $2`, [environment, file])
}

/** sha256 of the file, streamed (seed files can be hundreds of MB). */
export async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha256')
  const file = await open(path)
  try {
    // One reused buffer: hashing a 200 MB file must not leave 200 MB of chunks to the garbage collector.
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (let read = 1; read > 0;) {
      read = (await file.read(buffer, 0, buffer.length, null)).bytesRead
      hash.update(buffer.subarray(0, read))
    }
  } finally {
    await file.close()
  }
  return hash.digest('hex')
}

/**
 * For `nself db status`: what the status table records. With `files`, also compares with the seed
 * files of that environment on disk (pending, changed, missing); without, every entry is "recorded".
 */
export async function seedStatus(
  client: Client,
  files?: {seedsDir: string; environment: string},
): Promise<SeedStatusEntry[]> {
  const records = await readSeedRecords(client, files?.environment)
  if (!files) return records.map((r) => ({...r, state: 'recorded'}))
  const onDisk = discoverSeedFiles(files.seedsDir, files.environment)
  const entries: SeedStatusEntry[] = []
  for (const file of onDisk) {
    const record = records.find((r) => r.file === file.fileName)
    if (!record) entries.push({environment: files.environment, file: file.fileName, state: 'pending'})
    else entries.push({...record, state: record.checksum === (await fileChecksum(file.path)) ? 'applied' : 'changed'})
  }
  for (const record of records)
    if (!onDisk.some((f) => f.fileName === record.file)) entries.push({...record, state: 'missing'})
  return entries
}
