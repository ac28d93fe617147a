/**
 * Fires the `seedLoader` hook and hands every plugin's answer to the seeding library. Plugins run
 * concurrently (oclif's runHook); errors are captured so one broken plugin cannot stop a seed run
 * whose files it does not read: its failure becomes a warning naming it.
 */
import type {Config} from '@oclif/core'
import type {NselfHooks, SeedLoader} from '@nself/sdk/hooks'
import type {PluginLoaders} from '../seed/loaders.js'

export const SEED_LOADER_TIMEOUT_MS = 5000

export async function collectSeedLoaders(
  config: Config,
  environment: string,
  warn: (message: string) => void,
): Promise<PluginLoaders[]> {
  const result = await config.runHook<'seedLoader', NselfHooks>(
    'seedLoader',
    {environment},
    SEED_LOADER_TIMEOUT_MS,
    true,
  )
  for (const failure of result.failures)
    warn(`plugin ${failure.plugin.name}: its seedLoader hook failed: ${failure.error.message}`)
  return result.successes
    .filter((s) => s.result !== undefined && s.result !== null)
    .map((s) => ({plugin: s.plugin.name, loaders: (Array.isArray(s.result) ? s.result : [s.result]) as SeedLoader[]}))
    .sort((a, b) => a.plugin.localeCompare(b.plugin)) // runHook lists plugins in completion order
}
