/**
 * Backups, restore and reset, without oclif: the commands under src/commands/db/ are thin shells
 * over these functions, and other commands (migrate:up/down) call backupBeforeChange().
 * The file format is described in format.ts.
 */
import type {NselfConfig} from '../config/index.js'

export {
  backupBeforeChange,
  createBackup,
  defaultBackupName,
  GZIP_LEVEL,
  type BackupOptions,
  type BackupResult,
} from './create.js'
export {
  recoverInterruptedRestore,
  restoreBackup,
  restoreScope,
  type RestoreOptions,
  type RestoreResult,
  type RestoreScope,
  type RestoredTable,
  type SchemaTables,
} from './restore.js'
export {listBackups, findBackup, pruneBackups, type BackupEntry} from './store.js'
export {readManifest, verifyBackup, EXTENSION, type Manifest} from './format.js'
export {findPgTools, type PgTools} from './pgtools.js'
export {MANAGED_SCHEMAS} from './catalog.js'
export {DROP_PROJECT_OBJECTS_SQL} from './drop.js'

/** "Backup requirements: automatic backups before major operations": true in production. */
export function requiresBackupBeforeChange(config: NselfConfig): boolean {
  return config.isProduction
}

export {resetDatabase, dropProjectObjects, type ResetOptions, type ResetResult} from './reset.js'
export {
  installSchedule,
  removeSchedule,
  showSchedule,
  scheduleLine,
  type Schedule,
  type ScheduleTarget,
} from './schedule.js'
