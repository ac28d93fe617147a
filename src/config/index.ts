/**
 * Configuration: .env files of the project plus the process environment.
 * Precedence, highest first: process environment > .env.local > .env.<ENVIRONMENT> > .env.
 * ENVIRONMENT itself (default "development") is read from the same sources before .env.<ENVIRONMENT>.
 */
import {accessSync, constants, statSync, type Stats} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {ConfigError} from '@nself/sdk/errors'
import {registerSecret} from '@nself/sdk/redact'
import {NOT_A_PROJECT, locateProjectRoot, projectPaths, type ProjectPaths} from '../project.js'
import {readEnvFile, type EnvEntries, type EnvEntry} from './dotenv.js'
import {invalidSetting, parseSettings, parsers, readSetting, type Settings} from './settings.js'

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
  /** False outside a project (no marker here or above, no NSELF_PROJECT_DIR): `project` is then the working folder. */
  inProject: boolean
}

export interface LoadConfigOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
}

export function loadConfig(options: LoadConfigOptions = {}): NselfConfig {
  const processEnv = options.env ?? process.env
  const root = locateProjectRoot(options.cwd, processEnv)
  const project = projectPaths(root ?? resolve(options.cwd ?? process.cwd()))
  const env = collectEnv(project.root, processEnv)
  const environment = env.get('ENVIRONMENT')?.value || 'development'
  if (!/^[a-z][a-z0-9_-]*$/.test(environment)) {
    throw new ConfigError(
      `ENVIRONMENT=${JSON.stringify(environment)} in ${env.get('ENVIRONMENT')!.source} is not valid: expected a lower-case name such as development, staging or production`,
    )
  }
  const settings = parseSettings(env)
  readSetting(env, 'NSELF_DEBUG', parsers.boolean, 'true or false')
  const backupDir = isAbsolute(settings.backupLocation)
    ? settings.backupLocation
    : join(project.root, settings.backupLocation)
  if (env.has('DB_BACKUP_LOCATION')) checkBackupDir(env, backupDir)
  return {
    project,
    environment,
    isProduction: environment === 'production',
    connection: connectionFrom(env),
    settings,
    backupDir,
    env,
    inProject: root !== undefined,
  }
}

/**
 * The embedded server keeps its data in the project: outside one, starting it would run initdb in
 * whatever folder the command was typed in. Refused instead (exit 3).
 */
export function requireProject(config: NselfConfig): void {
  if (config.inProject) return
  throw new ConfigError(NOT_A_PROJECT, {
    code: 'NSELF_NOT_A_PROJECT',
    hint: 'cd into a project, create one here with `nself init`, set NSELF_PROJECT_DIR, or point nself at a server with DATABASE_URL.',
  })
}

/** The path's stat, undefined when nothing is there (or a file stands where a folder would be). */
function statIfThere(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined
    throw error
  }
}

/**
 * A backup folder that is a file, or under one, or that we cannot write, fails at load with the
 * variable's file and line, rather than as a raw EEXIST/EACCES when the first backup is taken.
 */
function checkBackupDir(env: EnvEntries, dir: string): void {
  let existing = dir
  for (;;) {
    const stat = statIfThere(existing)
    if (stat) {
      if (!stat.isDirectory()) {
        const what = existing === dir ? 'is a file' : `is under ${existing}, which is a file`
        throw invalidSetting(env, 'DB_BACKUP_LOCATION', `a directory path (${dir} ${what})`)
      }
      break
    }
    if (dirname(existing) === existing) return
    existing = dirname(existing)
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK)
  } catch {
    throw invalidSetting(env, 'DB_BACKUP_LOCATION', `a directory nself can write (${existing} is not writable)`)
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
    fromProcess.get('ENVIRONMENT')?.value ||
    local.get('ENVIRONMENT')?.value ||
    base.get('ENVIRONMENT')?.value ||
    'development'
  const perEnvironment = /^[a-z][a-z0-9_-]*$/.test(environment)
    ? readEnvFile(join(root, `.env.${environment}`), `.env.${environment}`)
    : new Map<string, EnvEntry>()
  return new Map([...base, ...perEnvironment, ...local, ...fromProcess])
}

function connectionFrom(env: EnvEntries): ConnectionSettings {
  const url = env.get('DATABASE_URL')?.value
  if (url) return connectionFromUrl(url, env)
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

const URL_SHAPE = 'postgres://user:password@host:port/database'
/** The sslmode values pg (node-postgres) understands. */
const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']

// The URL holds the password: errors name the variable and where it is set, never its value.
function connectionFromUrl(url: string, env: EnvEntries): ConnectionSettings {
  const invalid = (allowed: string) => invalidSetting(env, 'DATABASE_URL', allowed, {secret: true})
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(`a URL such as ${URL_SHAPE}`)
  }
  registerSecret(parsed.password)
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    throw invalid(`a URL starting with postgres:// or postgresql:// (${URL_SHAPE})`)
  }
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part)
    } catch {
      throw invalid(`percent escapes of the form %XX in the ${what} (write % itself as %25)`)
    }
  }
  const password = parsed.password ? decode(parsed.password, 'password') : undefined
  registerSecret(password)
  const sslmode = parsed.searchParams.get('sslmode')
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    throw invalid(`sslmode to be one of ${SSL_MODES.join(', ')} (got ${JSON.stringify(sslmode)})`)
  }
  return {
    host: decode(parsed.hostname, 'host') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 5432,
    database: decode(parsed.pathname.replace(/^\//, ''), 'database name') || 'postgres',
    user: decode(parsed.username, 'user name') || 'postgres',
    password,
    embedded: false,
    url,
  }
}
