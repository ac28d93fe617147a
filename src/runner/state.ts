/**
 * Files on disk against rows in the history table: what is applied, pending, part way,
 * changed since it was applied, or applied with its file gone.
 */
import type {Client} from 'pg'
import {compareVersions, discoverMigrations, type MigrationFile} from './files.js'
import {readHistory, type HistoryRow} from './history.js'

export interface MigrationState {
  files: MigrationFile[]
  history: HistoryRow[]
  /** Complete rows, oldest version first. */
  applied: HistoryRow[]
  /** Files without a complete row, oldest first (a partial migration is pending too). */
  pending: MigrationFile[]
  /** Migrations stopped part way (non-transactional steps): row and file. */
  partial: {row: HistoryRow; file?: MigrationFile}[]
  /** Applied migrations whose up file changed since: the applied checksum differs. */
  changed: {row: HistoryRow; file: MigrationFile}[]
  /** Applied migrations whose up file is gone. */
  missing: HistoryRow[]
}

export function compareState(files: MigrationFile[], history: HistoryRow[]): MigrationState {
  const rows = new Map(history.map((r) => [r.version, r]))
  const fileByVersion = new Map(files.map((f) => [f.version, f]))
  const byVersion = <T extends {version: string}>(list: T[]) =>
    list.sort((a, b) => compareVersions(a.version, b.version))
  const applied = byVersion(history.filter((r) => r.statementsDone === undefined))
  return {
    files,
    history,
    applied,
    pending: files.filter((f) => rows.get(f.version)?.statementsDone !== undefined || !rows.has(f.version)),
    partial: byVersion(history.filter((r) => r.statementsDone !== undefined)).map((row) => ({
      row,
      file: fileByVersion.get(row.version),
    })),
    changed: history.flatMap((row) => {
      const file = fileByVersion.get(row.version)
      return file && file.checksum !== row.checksum ? [{row, file}] : []
    }),
    missing: applied.filter((r) => !fileByVersion.has(r.version)),
  }
}

export async function loadState(client: Client, migrationsDir: string, table: string): Promise<MigrationState> {
  return compareState(discoverMigrations(migrationsDir), await readHistory(client, table))
}
