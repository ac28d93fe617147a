/**
 * Is database/schema.dbml ahead of the migrations? `nself db run` (issue 4) writes a snapshot of
 * the schema into database/migrations/meta/ with each migration it generates. When the newest
 * snapshot records the sha256 of the schema.dbml it came from, comparing hashes answers exactly.
 */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

export interface SchemaAhead {
  /** true: schema.dbml changed since the newest snapshot; false: same; 'unknown': cannot tell. */
  ahead: boolean | 'unknown'
  reason: string
  snapshot?: string
}

// TODO(issue-4): settle on the field name once `nself db run` writes snapshots; these are the candidates read today.
const HASH_FIELDS = ['sourceHash', 'schemaHash', 'sourceSha256', 'source_sha256', 'dbmlSha256']

export function schemaAhead(schemaFile: string, migrationsDir: string): SchemaAhead {
  if (!existsSync(schemaFile)) return {ahead: 'unknown', reason: 'there is no database/schema.dbml'}
  const metaDir = join(migrationsDir, 'meta')
  const snapshots = existsSync(metaDir) ? readdirSync(metaDir).filter((f) => f.endsWith('.json')).sort() : []
  if (!snapshots.length) return {ahead: 'unknown', reason: 'no snapshot in database/migrations/meta/ (run nself db run)'}
  const snapshot = snapshots[snapshots.length - 1]
  const recorded = recordedHash(join(metaDir, snapshot))
  if (!recorded) return {ahead: 'unknown', reason: `snapshot ${snapshot} records no hash of schema.dbml`, snapshot}
  const current = createHash('sha256').update(readFileSync(schemaFile)).digest('hex')
  const ahead = current !== recorded.replace(/^sha256:/, '')
  return {ahead, reason: ahead ? `schema.dbml changed since ${snapshot}: run nself db run` : `schema.dbml matches ${snapshot}`, snapshot}
}

function recordedHash(path: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
    const holders = [json, json.source as Record<string, unknown> | undefined, json.meta as Record<string, unknown> | undefined]
    for (const holder of holders) for (const field of [...HASH_FIELDS, 'sha256', 'hash']) if (holder && typeof holder[field] === 'string') return holder[field] as string
  } catch {
    return undefined
  }
  return undefined
}
