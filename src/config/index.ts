/**
 * Configuration: .env files of the project plus the process environment.
 * Precedence, highest first: process environment > .env.local > .env.<ENVIRONMENT> > .env.
 * ENVIRONMENT itself (default "development") is read from the same sources before .env.<ENVIRONMENT>.
 */
import {isAbsolute, join} from 'node:path'
import {ConfigError} from '@nself/sdk/errors'
import {registerSecret} from '@nself/sdk/redact'
import {findProjectRoot, projectPaths, type ProjectPaths} from '../project.js'
import {readEnvFile, type EnvEntries, type EnvEntry} from './dotenv.js'
import {parseSettings, parsers, readSetting, type Settings} from './settings.js'

export type {Settings} from './settings.js'

export interface ConnectionSettings {
  host: string
  port: number
  database: string
  user: string
  password?: string
  /** True when no server is configured and nself runs its own (src/db/embedded.ts). */
  embedded: boolean
  /** Raw DATABASE_URL when given: query parameters such as sslmode pass through to pg. */
  url?: string
}

export interface NselfConfig {
  project: ProjectPaths
  environment: string
  isProduction: boolean
  connection: ConnectionSettings
  settings: Settings
  backupDir: string
  /** Where each variable came from, for messages. */
  env: EnvEntries
}

export interface LoadConfigOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
}

export function loadConfig(options: LoadConfigOptions = {}): NselfConfig {
  const processEnv = options.env ?? process.env
  const project = projectPaths(findProjectRoot(options.cwd, processEnv))
  const env = collectEnv(project.root, processEnv)
  const environment = env.get('ENVIRONMENT')?.value || 'development'
  if (!/^[a-z][a-z0-9_-]*$/.test(environment)) {
    throw new ConfigError(`ENVIRONMENT=${JSON.stringify(environment)} in ${env.get('ENVIRONMENT')!.source} is not valid: expected a lower-case name such as development, staging or production`)
  }
  const settings = parseSettings(env)
  return {
    project,
    environment,
    isProduction: environment === 'production',
    connection: connectionFrom(env),
    settings,
    backupDir: isAbsolute(settings.backupLocation) ? settings.backupLocation : join(project.root, settings.backupLocation),
    env,
  }
}

function collectEnv(root: string, processEnv: NodeJS.ProcessEnv): EnvEntries {
  const base = readEnvFile(join(root, '.env'), '.env')
  const local = readEnvFile(join(root, '.env.local'), '.env.local')
  const fromProcess: EnvEntries = new Map()
  for (const [key, value] of Object.entries(processEnv)) {
    if (value !== undefined) fromProcess.set(key, {value, source: 'the process environment'})
  }
  const environment =
    fromProcess.get('ENVIRONMENT')?.value || local.get('ENVIRONMENT')?.value || base.get('ENVIRONMENT')?.value || 'development'
  const perEnvironment = /^[a-z][a-z0-9_-]*$/.test(environment)
    ? readEnvFile(join(root, `.env.${environment}`), `.env.${environment}`)
    : new Map<string, EnvEntry>()
  return new Map([...base, ...perEnvironment, ...local, ...fromProcess])
}

function connectionFrom(env: EnvEntries): ConnectionSettings {
  const url = env.get('DATABASE_URL')?.value
  if (url) return connectionFromUrl(url, env.get('DATABASE_URL')!.source)
  const password = env.get('POSTGRES_PASSWORD')?.value
  registerSecret(password)
  const host = env.get('POSTGRES_HOST')?.value
  const port = readSetting(env, 'POSTGRES_PORT', parsePort, 'a port number from 1 to 65535')
  return {
    host: host || '127.0.0.1',
    port: port ?? 5432,
    database: env.get('POSTGRES_DB')?.value || (host ? 'postgres' : 'nself'),
    user: env.get('POSTGRES_USER')?.value || 'postgres',
    password: host ? password : undefined,
    embedded: !host,
  }
}

function parsePort(raw: string): number | undefined {
  const port = parsers.integer(raw)
  return port !== undefined && port >= 1 && port <= 65_535 ? port : undefined
}

function connectionFromUrl(url: string, source: string): ConnectionSettings {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(`DATABASE_URL in ${source} is not a valid URL: expected postgres://user:password@host:port/database`)
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    throw new ConfigError(`DATABASE_URL in ${source} must start with postgres:// or postgresql://`)
  }
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined
  registerSecret(password)
  registerSecret(parsed.password)
  return {
    host: decodeURIComponent(parsed.hostname) || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 5432,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    user: decodeURIComponent(parsed.username) || 'postgres',
    password,
    embedded: false,
    url,
  }
}
