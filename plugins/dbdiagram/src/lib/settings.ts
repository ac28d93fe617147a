/**
 * The plugin's settings, read the way the core reads its own: the process environment over
 * .env.local over .env.<ENVIRONMENT> over .env, in the project root (the nearest folder up from the
 * working directory holding database/schema.dbml, .env.local or .nself/; NSELF_PROJECT_DIR overrides).
 * The sdk has no config reader for plugins and a plugin must not import the core's, so the files are
 * parsed here with dotenv's parser (the same NAME=value format).
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {parse} from 'dotenv'
import {ConfigError} from '@nself/sdk/errors'
import {registerSecret} from '@nself/sdk/redact'

export const DEFAULT_API_URL = 'https://api.dbdiagram.io/v1'

export interface Setting {
  value: string
  /** ".env.local", "the process environment", a flag… for messages. */
  source: string
}

export interface DbdiagramSettings {
  root: string
  schemaFile: string
  stateFile: string
  apiUrl: string
  token?: string
  /** From DBDIAGRAM_DIAGRAM_ID (an id or a diagram URL), when set. */
  diagramId?: string
  diagramIdSource?: string
}

export function findProjectRoot(cwd: string, env: NodeJS.ProcessEnv): string {
  if (env.NSELF_PROJECT_DIR) return resolve(env.NSELF_PROJECT_DIR)
  let dir = resolve(cwd)
  for (;;) {
    if (['database/schema.dbml', '.env.local', '.nself'].some((m) => existsSync(join(dir, m)))) return dir
    const parent = dirname(dir)
    if (parent === dir) return resolve(cwd)
    dir = parent
  }
}

export function readEnv(root: string, processEnv: NodeJS.ProcessEnv): Map<string, Setting> {
  const fromProcess = new Map<string, Setting>()
  for (const [key, value] of Object.entries(processEnv)) {
    if (value !== undefined) fromProcess.set(key, {value, source: 'the process environment'})
  }
  const base = readEnvFile(root, '.env')
  const local = readEnvFile(root, '.env.local')
  const environment = fromProcess.get('ENVIRONMENT')?.value || local.get('ENVIRONMENT')?.value || base.get('ENVIRONMENT')?.value || 'development'
  const perEnvironment = /^[a-z][a-z0-9_-]*$/.test(environment) ? readEnvFile(root, `.env.${environment}`) : new Map<string, Setting>()
  return new Map([...base, ...perEnvironment, ...local, ...fromProcess])
}

function readEnvFile(root: string, name: string): Map<string, Setting> {
  let text: string
  try {
    text = readFileSync(join(root, name), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw new ConfigError(`cannot read ${name}: ${(error as Error).message}`)
  }
  return new Map(Object.entries(parse(text)).map(([key, value]) => [key, {value, source: name}]))
}

/** A 24-hex diagram id, or a diagram URL whose path ends in one (dbdiagram.io/d/Name-<id>). */
export function parseDiagramId(raw: string, source: string): string {
  const text = raw.trim()
  if (/^[0-9a-f]{24}$/i.test(text)) return text.toLowerCase()
  const match = /[-/]([0-9a-f]{24})\/?(?:[?#].*)?$/i.exec(text)
  if (match) return match[1].toLowerCase()
  const where = source === '--diagram' ? `--diagram ${JSON.stringify(raw)}` : `DBDIAGRAM_DIAGRAM_ID=${JSON.stringify(raw)} in ${source}`
  throw new ConfigError(`${where} is not a diagram id: expected 24 hexadecimal characters or a diagram URL such as https://dbdiagram.io/d/Blog-69459a734bbde0fd74d8852f`)
}

export function loadSettings(cwd: string = process.cwd(), processEnv: NodeJS.ProcessEnv = process.env): DbdiagramSettings {
  const root = findProjectRoot(cwd, processEnv)
  const env = readEnv(root, processEnv)
  const token = env.get('DBDIAGRAM_TOKEN')?.value.trim() || undefined
  registerSecret(token)
  const id = env.get('DBDIAGRAM_DIAGRAM_ID')
  const apiUrl = env.get('DBDIAGRAM_API_URL')
  return {
    root,
    schemaFile: join(root, 'database', 'schema.dbml'),
    stateFile: join(root, 'database', '.dbdiagram.json'),
    apiUrl: apiUrl?.value.trim() ? checkUrl(apiUrl.value.trim(), apiUrl.source) : DEFAULT_API_URL,
    token,
    ...(id?.value.trim() ? {diagramId: parseDiagramId(id.value, id.source), diagramIdSource: id.source} : {}),
  }
}

function checkUrl(raw: string, source: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(`DBDIAGRAM_API_URL=${JSON.stringify(raw)} in ${source} is not a URL: expected e.g. ${DEFAULT_API_URL}`)
  }
  // The token travels in a header: plain http only to this machine.
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new ConfigError(`DBDIAGRAM_API_URL in ${source} must start with https:// (http:// only for 127.0.0.1 or localhost)`)
  }
  return raw.replace(/\/+$/, '')
}
