/** The runner's options from the project's configuration: what `db reset` (issue 7) needs to re-apply every migration. */
import type {NselfConfig} from '../config/index.js'
import type {RunOptions} from './runner.js'

export function migrateOptions(config: NselfConfig): RunOptions {
  return {
    migrationsDir: config.project.migrationsDir,
    table: config.settings.migrationTable,
    lockTimeoutSeconds: config.settings.migrationLockTimeoutSeconds,
    statementTimeoutSeconds: config.settings.migrationStatementTimeoutSeconds,
  }
}
