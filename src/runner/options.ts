/** The runner's options from the project's configuration: the one source for migrate:up/down, resolve, reset-state and `db reset`. */
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
