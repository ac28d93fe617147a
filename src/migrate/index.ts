// The migration library's public API: used by the db commands, and by `db reset` (issue 7) to re-apply every migration.
export {migrateUp, migrateDown, chooseUp, chooseDown, defaultAppliedBy, MigrationError} from './runner.js'
export type {AppliedMigration, Direction, DownOptions, PlannedMigration, Reporter, RunOptions, RunResult, UpOptions} from './runner.js'
export {compareState, loadState, type MigrationState} from './state.js'
export {discoverMigrations, checksumFile, compareVersions, sameVersion, type MigrationFile} from './files.js'
export {readHistory, ensureHistory, setChecksum, clearHistory, historyExists, quoteTable, type HistoryRow} from './history.js'
export {acquireLock, LockTimeoutError, type LockHolder} from './lock.js'
export {planMigration, losesData, nonTransactionalReason, type MigrationPlan, type Step} from './plan.js'
export {splitSql, type SqlStatement} from './split.js'
