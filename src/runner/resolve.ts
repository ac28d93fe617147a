/**
 * Changing the history without running SQL: mark a migration applied (it was applied by hand, or
 * the database was baselined), rolled back (undone by hand), or accept an edited file's checksum.
 * Each takes the migration lock, so it cannot race a running migrate.
 */
import type {Client} from 'pg'
import {UsageError} from '@nself/sdk/errors'
import {discoverMigrations, sameVersion, type MigrationFile} from './files.js'
import {deleteSql, ensureHistory, quoteTable, readHistory, recordSql, setChecksum} from './history.js'
import {acquireLock} from './lock.js'
import {defaultAppliedBy} from './runner.js'

export type Resolution = 'applied' | 'rolled-back' | 'accept-checksum'

export interface ResolveOptions {
  migrationsDir: string
  table: string
  lockTimeoutSeconds: number
}

export interface ResolveResult {
  resolution: Resolution
  version: string
  name: string
  checksum?: string
}

export async function resolveMigration(
  client: Client,
  resolution: Resolution,
  version: string,
  options: ResolveOptions,
): Promise<ResolveResult> {
  const lock = await acquireLock(client, options.table, options.lockTimeoutSeconds)
  try {
    await ensureHistory(client, options.table)
    const history = await readHistory(client, options.table)
    const row = history.find((r) => sameVersion(r.version, version))
    if (resolution === 'rolled-back') {
      if (!row) throw new UsageError(`migration ${version} is not in the history: nothing to mark rolled back`)
      await client.query(deleteSql(options.table, row.version))
      return {resolution, version: row.version, name: row.name}
    }
    const file = findFile(options.migrationsDir, version)
    if (resolution === 'applied') {
      if (row && row.statementsDone === undefined) throw new UsageError(`migration ${file.version} is already applied`)
      await client.query(
        recordSql(options.table, {
          version: file.version,
          name: file.name,
          checksum: file.checksum,
          executionMs: 0,
          appliedBy: defaultAppliedBy(),
          statementsDone: null,
        }),
      )
      return {resolution, version: file.version, name: file.name, checksum: file.checksum}
    }
    if (!row) throw new UsageError(`migration ${file.version} is not applied: there is no checksum to accept`)
    await setChecksum(client, options.table, row.version, file.checksum)
    return {resolution, version: row.version, name: row.name, checksum: file.checksum}
  } finally {
    await lock.release()
  }
}

function findFile(dir: string, version: string): MigrationFile {
  const file = discoverMigrations(dir).find((f) => sameVersion(f.version, version))
  if (!file) throw new UsageError(`there is no migration ${version} in ${dir}`)
  return file
}

/** Empties the history table (the schema is untouched). Returns how many rows it held. */
export async function resetHistory(client: Client, options: ResolveOptions): Promise<number> {
  const lock = await acquireLock(client, options.table, options.lockTimeoutSeconds)
  try {
    await ensureHistory(client, options.table)
    const result = await client.query(`DELETE FROM ${quoteTable(options.table)}`)
    return result.rowCount ?? 0
  } finally {
    await lock.release()
  }
}
