/**
 * `db reset`: drop every object of the project's schemas (drop.ts says what is kept), re-apply all
 * migrations with the runner, then optionally seed. The drop is one transaction; the runner then
 * manages its own (the history table went with the drop, so every migration is pending).
 */
import type {Client} from 'pg'
import {withTransaction} from '@nself/sdk/sql'
import type {NselfConfig} from '../config/index.js'
import {migrateUp, type AppliedMigration, type Reporter} from '../migrate/index.js'
import {seed, type PluginLoaders, type SeedEvent, type SeedResult} from '../seed/index.js'
import {DROP_PROJECT_OBJECTS_SQL} from './drop.js'

export interface ResetOptions {
  seed?: boolean
  /** Seed loaders from plugins (the seedLoader hook); the built-in formats need none. */
  loaders?: PluginLoaders[]
  reporter?: Reporter
  onSeedEvent?: (event: SeedEvent) => void
}

export interface ResetResult {
  migrations: AppliedMigration[]
  seed?: SeedResult
}

export async function dropProjectObjects(client: Client): Promise<void> {
  await withTransaction(client, () => client.query(DROP_PROJECT_OBJECTS_SQL))
}

export async function resetDatabase(config: NselfConfig, client: Client, options: ResetOptions = {}): Promise<ResetResult> {
  await dropProjectObjects(client)
  const {settings, project} = config
  const up = await migrateUp(client, {
    migrationsDir: project.migrationsDir,
    table: settings.migrationTable,
    lockTimeoutSeconds: settings.migrationLockTimeoutSeconds,
    statementTimeoutSeconds: settings.migrationStatementTimeoutSeconds,
    reporter: options.reporter,
  })
  if (!options.seed) return {migrations: up.applied}
  const seeded = await seed(client, {
    seedsDir: project.seedsDir,
    projectRoot: project.root,
    environment: config.environment,
    loaders: options.loaders ?? [],
    onEvent: options.onSeedEvent,
  })
  return {migrations: up.applied, seed: seeded}
}
