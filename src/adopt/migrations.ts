/**
 * What adoption needs from the migration machinery, in one place (the migration code is moving
 * to src/authoring and src/runner; only these imports need rewiring).
 */
export {readMigrationsState, renderMigration, snapshotText} from '../migrate/generated.js'
export {ensureHistory, readHistory, recordSql, historyExists} from '../migrate/history.js'
export {checksumFile, discoverMigrations} from '../migrate/files.js'
export {defaultAppliedBy} from '../migrate/runner.js'
export {loadTargetModel} from '../migrate/generate.js'
