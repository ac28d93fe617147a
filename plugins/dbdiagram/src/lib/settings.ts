/**
 * The plugin's settings, from the project as nself reads it (@nself/sdk's loadProject: the process
 * environment over .env.local over .env.<ENVIRONMENT> over .env, in the project root).
 */
import {join} from 'node:path'
import {ConfigError} from '@nself/sdk/errors'
import type {ProjectInfo} from '@nself/sdk/hooks'
import {registerSecret} from '@nself/sdk/redact'

export const DEFAULT_API_URL = 'https://api.dbdiagram.io/v1'

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

/** A 24-hex diagram id, or a diagram URL whose path ends in one (dbdiagram.io/d/Name-<id>). */
export function parseDiagramId(raw: string, source: string): string {
  const text = raw.trim()
  if (/^[0-9a-f]{24}$/i.test(text)) return text.toLowerCase()
  const match = /[-/]([0-9a-f]{24})\/?(?:[?#].*)?$/i.exec(text)
  if (match) return match[1].toLowerCase()
  const where =
    source === '--diagram'
      ? `--diagram ${JSON.stringify(raw)}`
      : `DBDIAGRAM_DIAGRAM_ID=${JSON.stringify(raw)} in ${source}`
  throw new ConfigError(
    `${where} is not a diagram id: expected 24 hexadecimal characters or a diagram URL such as https://dbdiagram.io/d/Blog-69459a734bbde0fd74d8852f`,
  )
}

export function loadSettings(project: Pick<ProjectInfo, 'root' | 'env' | 'sources'>): DbdiagramSettings {
  const {root, env, sources} = project
  const source = (name: string) => sources[name] ?? 'the process environment'
  const token = env.DBDIAGRAM_TOKEN?.trim() || undefined
  registerSecret(token)
  const id = env.DBDIAGRAM_DIAGRAM_ID
  const apiUrl = env.DBDIAGRAM_API_URL?.trim()
  return {
    root,
    schemaFile: join(root, 'database', 'schema.dbml'),
    stateFile: join(root, 'database', '.dbdiagram.json'),
    apiUrl: apiUrl ? checkUrl(apiUrl, source('DBDIAGRAM_API_URL')) : DEFAULT_API_URL,
    token,
    ...(id?.trim()
      ? {diagramId: parseDiagramId(id, source('DBDIAGRAM_DIAGRAM_ID')), diagramIdSource: source('DBDIAGRAM_DIAGRAM_ID')}
      : {}),
  }
}

function checkUrl(raw: string, source: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(
      `DBDIAGRAM_API_URL=${JSON.stringify(raw)} in ${source} is not a URL: expected e.g. ${DEFAULT_API_URL}`,
    )
  }
  // The token travels in a header: plain http only to this machine.
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new ConfigError(
      `DBDIAGRAM_API_URL in ${source} must start with https:// (http:// only for 127.0.0.1 or localhost)`,
    )
  }
  return raw.replace(/\/+$/, '')
}
