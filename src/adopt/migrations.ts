/**
 * What adoption needs from the migration machinery, in one place (the migration code is moving
 * to src/authoring and src/runner; only these imports need rewiring).
 */
export {readMigrationsState, renderMigration, snapshotText} from '../authoring/generated.js'
export {ensureHistory, readHistory, recordSql, historyExists} from '../runner/history.js'
export {checksumFile, discoverMigrations} from '../runner/files.js'
export {defaultAppliedBy} from '../runner/runner.js'
export {loadTargetModel} from '../authoring/generate.js'
