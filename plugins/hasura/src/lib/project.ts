/**
 * What the plugin needs of the project, asked of the core through its `loadProject` hook (the plugin
 * never imports the core), and the Hasura settings read from it.
 */
import type {Hook, Interfaces} from '@oclif/core'

/** A hook's `this.config` and a command's both answer runHook; typed here for nself's hooks. */
type Config = Interfaces.Config
type RunHook = <T extends keyof NselfHooks>(event: T, options: NselfHooks[T]['options'], timeout?: number, capture?: boolean) => Promise<Hook.Result<NselfHooks[T]['return']>>
import {ConfigError, ValidationError} from '@nself/sdk/errors'
import type {NselfHooks, ProjectInfo} from '@nself/sdk/hooks'
import {registerSecret} from '@nself/sdk/redact'
import {HasuraClient} from './client.js'

export const DEFAULT_ENDPOINT = 'http://localhost:8080'

export async function loadProject(config: Config, options: NselfHooks['loadProject']['options']): Promise<ProjectInfo> {
  // A hook's config is typed with oclif's own hooks only; nself's hooks are declared in NselfHooks.
  const typed = config as unknown as {runHook: RunHook}
  const {successes, failures} = await typed.runHook('loadProject', options, undefined, true)
  if (failures.length > 0) throw failures[0].error
  const info = successes.find((s) => s.result)?.result
  if (!info) throw new ConfigError('this nself does not answer the loadProject hook: the Hasura plugin needs nself 0.2 or newer')
  return info
}

/** The project with its parsed schema; parser errors stop here (`db validate` shows them all). */
export async function loadProjectSchema(config: Config, file?: string): Promise<Required<ProjectInfo>> {
  const info = await loadProject(config, {schema: true, ...(file ? {file} : {})})
  const schema = info.schema!
  if (schema.errors.length > 0) {
    const first = schema.errors[0]
    throw new ValidationError(`${schema.file}:${first.line}:${first.column}: ${first.message}${schema.errors.length > 1 ? ` (and ${schema.errors.length - 1} more)` : ''}`, {hint: 'run nself db validate for every problem'})
  }
  return info as Required<ProjectInfo>
}

export interface HasuraSettings {
  endpoint: string
  adminSecret?: string
  source: string
}

/** HASURA_GRAPHQL_ENDPOINT (default http://localhost:8080), HASURA_GRAPHQL_ADMIN_SECRET, HASURA_SOURCE_NAME. */
export function hasuraSettings(env: Record<string, string>): HasuraSettings {
  const endpoint = env.HASURA_GRAPHQL_ENDPOINT || DEFAULT_ENDPOINT
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new ConfigError(`HASURA_GRAPHQL_ENDPOINT=${JSON.stringify(endpoint)} is not a URL`, {hint: 'set it to the Hasura server, e.g. http://localhost:8080'})
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('HASURA_GRAPHQL_ENDPOINT must start with http:// or https://')
  const adminSecret = env.HASURA_GRAPHQL_ADMIN_SECRET || undefined
  registerSecret(adminSecret)
  return {endpoint, adminSecret, source: env.HASURA_SOURCE_NAME || 'default'}
}

export const clientFor = (settings: HasuraSettings): HasuraClient => new HasuraClient({endpoint: settings.endpoint, adminSecret: settings.adminSecret})

export const isTrue = (value: unknown): boolean => value === true || (typeof value === 'string' && /^(true|1|yes)$/i.test(value.trim()))
