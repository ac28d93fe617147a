/**
 * The runner: applying migration files. Files → plan (transaction steps) → history table, advisory
 * lock, transactions, resume after a crash, resolve, status; migrateUp / migrateDown. Used by the
 * migrate commands and by `db reset`, which re-applies every migration. Writing the files is
 * src/authoring's job.
 *
 * Imports go one way: commands → cli → authoring/runner/seed/backup → diff/sql/schema/db/config
 * → @nself/sdk. This folder may import db, config and @nself/sdk; never authoring, cli or commands.
 */
export {
  migrateUp,
  migrateDown,
  chooseUp,
  chooseDown,
  defaultAppliedBy,
  planFromScratch,
  MigrationError,
} from './runner.js'
export type {
  AppliedMigration,
  Direction,
  DownOptions,
  PlannedMigration,
  Reporter,
  RunOptions,
  RunResult,
  UpOptions,
} from './runner.js'
export {compareState, loadState, type MigrationState} from './state.js'
export {
  discoverMigrations,
  displayPath,
  checksumFile,
  compareVersions,
  sameVersion,
  type MigrationFile,
} from './files.js'
export {
  readHistory,
  ensureHistory,
  setChecksum,
  clearHistory,
  historyExists,
  newestVersion,
  quoteTable,
  type HistoryRow,
} from './history.js'
export {acquireLock, LockTimeoutError, type LockHolder} from './lock.js'
export {
  planTransactions,
  losesData,
  nonTransactionalReason,
  statementCount,
  type TransactionPlan,
  type PlannedStatement,
  type RunStep,
} from './plan.js'
export {resolveMigration, resetHistory, type Resolution, type ResolveResult} from './resolve.js'
export {migrationStatus, type MigrationStatus} from './status.js'
export {migrateOptions} from './options.js'
