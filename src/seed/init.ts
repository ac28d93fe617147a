/**
 * DB_SEED_ON_INIT: after `nself init` has applied the first migration, seed the environment's data
 * (development by default) when the setting is true. init calls this with a connected client and the
 * loaders it collected from the `seedLoader` hook (src/cli/seed-loaders.ts).
 */
import type {Client} from 'pg'
import type {NselfConfig} from '../config/index.js'
import type {PluginLoaders} from './loaders.js'
import {seed, type SeedEvent, type SeedResult} from './run.js'

export interface SeedOnInitResult {
  seeded: boolean
  reason?: string
  result?: SeedResult
}

export async function seedOnInit(
  config: NselfConfig,
  client: Client,
  loaders: PluginLoaders[],
  onEvent?: (event: SeedEvent) => void,
): Promise<SeedOnInitResult> {
  if (!config.settings.seedOnInit) return {seeded: false, reason: 'DB_SEED_ON_INIT is not true'}
  const result = await seed(client, {
    seedsDir: config.project.seedsDir,
    projectRoot: config.project.root,
    environment: config.environment,
    loaders,
    onEvent,
  })
  return {seeded: true, result}
}
