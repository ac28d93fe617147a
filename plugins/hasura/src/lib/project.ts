/**
 * What the plugin needs of the project, asked of the core through its `loadProject` hook (the plugin
 * never imports the core), and the Hasura settings read from it.
 */
import type {Interfaces} from '@oclif/core'
import {ConfigError} from '@nself/sdk/errors'
import {loadProject, loadProjectSchema as loadSchema} from '@nself/sdk/project'
import type {ProjectInfo} from '@nself/sdk/hooks'
import {registerSecret} from '@nself/sdk/redact'
import {HasuraClient} from './client.js'

export const DEFAULT_ENDPOINT = 'http://localhost:8080'

export {loadProject}

/** The project with its parsed schema; parser errors stop here (`db validate` shows them all). */
export async function loadProjectSchema(config: Interfaces.Config, file?: string): Promise<Required<ProjectInfo>> {
  return await loadSchema(config, file ? {file} : {})
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
    throw new ConfigError(`HASURA_GRAPHQL_ENDPOINT=${JSON.stringify(endpoint)} is not a URL`, {
      hint: 'set it to the Hasura server, e.g. http://localhost:8080',
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('HASURA_GRAPHQL_ENDPOINT must start with http:// or https://')
  const adminSecret = env.HASURA_GRAPHQL_ADMIN_SECRET || undefined
  registerSecret(adminSecret)
  return {endpoint, adminSecret, source: env.HASURA_SOURCE_NAME || 'default'}
}

export const clientFor = (settings: HasuraSettings): HasuraClient =>
  new HasuraClient({endpoint: settings.endpoint, adminSecret: settings.adminSecret})

export const isTrue = (value: unknown): boolean =>
  value === true || (typeof value === 'string' && /^(true|1|yes)$/i.test(value.trim()))
