/**
 * Is database/schema.dbml ahead of the migrations? It is when diffing the newest snapshot
 * (database/migrations/meta/NNN.json, written by `nself db run`) against the schema plans any
 * change: the same comparison `db run` makes, so status and run never disagree.
 */
import {existsSync} from 'node:fs'
import {NselfError} from '@nself/sdk/errors'
import {diffSchemas, emptyModel} from '../diff/index.js'
import {loadTargetModel} from './generate.js'
import {readMigrationsState} from './generated.js'

export interface SchemaAhead {
  /** true: schema.dbml has changes no migration holds yet; false: none; 'unknown': cannot tell. */
  ahead: boolean | 'unknown'
  reason: string
  /** Version of the newest snapshot compared against. */
  snapshot?: string
  /** How many changes `nself db run` would write. */
  changes?: number
}

export async function schemaAhead(schemaFile: string, migrationsDir: string): Promise<SchemaAhead> {
  if (!existsSync(schemaFile)) return {ahead: 'unknown', reason: 'there is no database/schema.dbml'}
  let target
  try {
    target = await loadTargetModel(schemaFile, 'database/schema.dbml')
  } catch (error) {
    if (error instanceof NselfError) return {ahead: 'unknown', reason: 'schema.dbml has errors (see nself db validate)'}
    throw error
  }
  const {latest} = await readMigrationsState(migrationsDir)
  const changes = diffSchemas(latest?.model ?? emptyModel(), target).length
  const since = latest ? `migration ${latest.version}` : 'no migration yet'
  return {
    ahead: changes > 0,
    reason: changes > 0 ? `${changes} change(s) since ${since}: run nself db run` : `schema.dbml matches ${since}`,
    snapshot: latest?.version,
    changes,
  }
}
