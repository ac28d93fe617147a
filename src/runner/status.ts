/** What `nself db status` reports about migrations, as data (the command formats it). */
import type {Client} from 'pg'
import {displayPath} from './files.js'
import {statementCount} from './plan.js'
import {loadState} from './state.js'

export interface MigrationStatus {
  table: string
  applied: {version: string; name: string; appliedAt: string}[]
  pending: {version: string; name: string}[]
  partial: {version: string; name: string; statementsDone: number; statements?: number}[]
  changed: {version: string; name: string; file: string}[]
  missing: {version: string; name: string}[]
  /** False when an applied file changed or a migration stopped part way: migrate:up will not simply proceed. */
  ok: boolean
}

export async function migrationStatus(
  client: Client,
  migrationsDir: string,
  table: string,
  countStatements: (file: string) => number = statementCount,
): Promise<MigrationStatus> {
  const state = await loadState(client, migrationsDir, table)
  return {
    table,
    applied: state.applied.map((r) => ({version: r.version, name: r.name, appliedAt: r.appliedAt.toISOString()})),
    pending: state.pending.map((f) => ({version: f.version, name: f.name})),
    partial: state.partial.map(({row, file}) => ({
      version: row.version,
      name: row.name,
      statementsDone: row.statementsDone ?? 0,
      statements: file ? countStatements(file.upFile) : undefined,
    })),
    changed: state.changed.map(({row, file}) => ({
      version: row.version,
      name: row.name,
      file: displayPath(file.upFile),
    })),
    missing: state.missing.map((r) => ({version: r.version, name: r.name})),
    ok: state.changed.length === 0 && state.partial.length === 0,
  }
}
