/**
 * Backups, restore and reset, without oclif: the commands under src/commands/db/ are thin shells
 * over these functions, and other commands (migrate:up/down) call backupBeforeChange().
 * The file format is described in format.ts.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import type {Client} from 'pg'
import type {NselfConfig} from '../config/index.js'
import {createBackup, defaultBackupName} from './create.js'
import {EXTENSION} from './format.js'

export {createBackup, defaultBackupName, GZIP_LEVEL, type BackupOptions, type BackupResult} from './create.js'
export {restoreBackup, restoreScope, type RestoreOptions, type RestoreResult, type RestoreScope, type RestoredTable, type SchemaTables} from './restore.js'
export {listBackups, findBackup, pruneBackups, type BackupEntry} from './store.js'
export {readManifest, verifyBackup, EXTENSION, type Manifest} from './format.js'
export {findPgTools, type PgTools} from './pgtools.js'
export {MANAGED_SCHEMAS} from './catalog.js'
export {DROP_PROJECT_OBJECTS_SQL} from './drop.js'

/** "Backup requirements: automatic backups before major operations": true in production. */
export function requiresBackupBeforeChange(config: NselfConfig): boolean {
  return config.isProduction
}

/**
 * Takes a backup of the current state before a major change (migrate:up/down, restore, reset) and
 * returns its path, which the caller prints. Named pre-<reason>-<time>, so it is easy to find.
 * The caller decides when (requiresBackupBeforeChange); this always takes one.
 */
export async function backupBeforeChange(config: NselfConfig, client: Client, reason: string): Promise<string> {
  const slug = reason.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'change'
  const base = defaultBackupName(new Date(), `pre-${slug}`)
  let name = base
  for (let i = 2; existsSync(join(config.backupDir, name + EXTENSION)); i++) name = `${base}-${i}` // two in the same second
  const result = await createBackup(config, client, {name})
  return result.path
}
export {resetDatabase, dropProjectObjects, type ResetOptions, type ResetResult} from './reset.js'
export {installSchedule, removeSchedule, showSchedule, scheduleLine, type Schedule, type ScheduleTarget} from './schedule.js'
