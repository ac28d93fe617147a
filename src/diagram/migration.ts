/**
 * What a migration changed, as two models: its snapshot (database/migrations/meta/NNN.json) and the
 * snapshot before it (or an empty schema for the first). The only file of the diagram that reads
 * migrations.
 */
import {basename} from 'node:path'
import {UsageError} from '@nself/sdk'
import {readMigrationsState, readSnapshot} from '../authoring/generated.js'
import {emptyModel, type SchemaModel} from '../schema/model.js'

export interface MigrationDiff {
  before: SchemaModel
  after: SchemaModel
  /** "migration 003 (add_orders)". */
  title: string
}

/** `spec` is a version ("3", "003"), a migration name ("003_add_orders") or a path to one of its files. */
export async function migrationDiff(migrationsDir: string, spec: string): Promise<MigrationDiff> {
  const digits = /^(\d+)/.exec(basename(spec.trim()))?.[1]
  const state = await readMigrationsState(migrationsDir)
  const available = state.snapshots.length
    ? `snapshots exist for ${state.snapshots.join(', ')}`
    : 'no migration has a snapshot yet (nself db run writes them)'
  if (!digits)
    throw new UsageError(`--diff ${spec}: not a migration version`, {hint: `give a version such as 003; ${available}`})
  const version = state.snapshots.find((v) => Number(v) === Number(digits))
  if (!version) {
    throw new UsageError(`--diff ${spec}: migration ${digits} has no snapshot in ${migrationsDir}/meta`, {
      hint: `a hand-written migration has none; ${available}`,
    })
  }
  const previous = state.snapshots.filter((v) => Number(v) < Number(version)).at(-1)
  const [after, before] = await Promise.all([
    readSnapshot(migrationsDir, version),
    previous ? readSnapshot(migrationsDir, previous) : emptyModel(),
  ])
  const name = state.migrations.find((m) => Number(m.version) === Number(version))?.name
  return {before, after, title: `migration ${version}${name ? ` (${name})` : ''}`}
}
