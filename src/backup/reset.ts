/**
 * `db reset`: drop every object of the project's schemas (drop.ts says what is kept), re-apply all
 * migrations with the runner, then optionally seed. It goes the way of migrate:up: the same runner
 * options (migrateOptions) and a beforeRun called with every migration to apply before anything is
 * dropped, so a vetoing beforeMigrate hook leaves the database untouched. The drop is one
 * transaction; the runner then manages its own (the history table went with the drop).
 */
import type {Client} from 'pg'
import {withTransaction} from '@nself/sdk/sql'
import type {NselfConfig} from '../config/index.js'
import {
  migrateOptions,
  migrateUp,
  planFromScratch,
  type PlannedMigration,
  type Reporter,
  type RunOptions,
  type RunResult,
} from '../runner/index.js'
import {seed, type PluginLoaders, type SeedEvent, type SeedResult} from '../seed/index.js'
import {DROP_PROJECT_OBJECTS_SQL} from './drop.js'

export interface ResetOptions {
  seed?: boolean
  /** Seed loaders from plugins (the seedLoader hook); the built-in formats need none. */
  loaders?: PluginLoaders[]
  reporter?: Reporter
  /** Called with the migrations about to run, after the drop, before any of them runs (to start a progress display). */
  startRun?: RunOptions['beforeRun']
  onSeedEvent?: (event: SeedEvent) => void
  /** Called with every migration that will be applied, before anything is dropped. Throw to stop: nothing changes. */
  beforeRun?(migrations: PlannedMigration[]): Promise<void>
  /** Called once the migrations ran (or failed, with the error), before seeding. */
  afterRun?(result: RunResult | undefined, error?: Error): Promise<void>
  /** The runner appends each migration as it completes (what a failed reset did apply). */
  applied?: RunOptions['applied']
}

export interface ResetResult {
  /** The migrate:up run that re-applied the migrations. */
  run: RunResult
  seed?: SeedResult
}

export async function dropProjectObjects(client: Client): Promise<void> {
  await withTransaction(client, () => client.query(DROP_PROJECT_OBJECTS_SQL))
}

export async function resetDatabase(
  config: NselfConfig,
  client: Client,
  options: ResetOptions = {},
): Promise<ResetResult> {
  const runOptions = migrateOptions(config)
  // Planned first: a migration file that cannot be read or split stops the reset before the drop.
  await options.beforeRun?.(planFromScratch(runOptions.migrationsDir))
  await dropProjectObjects(client)
  let run: RunResult
  try {
    run = await migrateUp(client, {
      ...runOptions,
      reporter: options.reporter,
      beforeRun: options.startRun,
      applied: options.applied,
    })
  } catch (error) {
    await options.afterRun?.(undefined, error as Error)
    throw error
  }
  await options.afterRun?.(run)
  if (!options.seed) return {run}
  const seeded = await seed(client, {
    seedsDir: config.project.seedsDir,
    projectRoot: config.project.root,
    environment: config.environment,
    loaders: options.loaders ?? [],
    onEvent: options.onSeedEvent,
  })
  return {run, seed: seeded}
}
