/**
 * Authoring: writing migrations. The wanted schema (schema.dbml) against the newest snapshot
 * (database/migrations/meta/NNN.json) gives the changes, rendered as NNN_<slug>.up.sql/.down.sql
 * plus the next snapshot; schema-ahead and drift compare the schema, the files and the live
 * database. Running the files is src/runner's job.
 *
 * Imports go one way: commands → cli → authoring/runner/seed/backup → diff/sql/schema/db/config
 * → @nself/sdk. This folder may import diff, sql, schema, validate, db, config, the runner's file
 * listing and history reads (src/runner/files.ts, history.ts) and @nself/sdk; never cli or commands,
 * and the runner never imports authoring.
 */
export {
  dataLosingDrops,
  loadTargetModel,
  parseRenames,
  planSchemaChange,
  replan,
  resolvePaths,
  type Plan,
  type PlanInput,
} from './generate.js'
export {
  NO_TRANSACTION_MARKER,
  migrationSlug,
  nextVersion,
  readMigrationsState,
  readSnapshot,
  renderMigration,
  slugify,
  snapshotText,
  writeMigration,
  type MigrationsState,
  type RenderedMigration,
  type WrittenMigration,
} from './generated.js'
export {schemaAhead, type SchemaAhead} from './schema-ahead.js'
export {compareCatalogs, expectedCatalog, type DriftItem, type Scope} from './drift.js'
export {liveDrift, type DriftChange, type LiveDrift, type LiveDriftOptions} from './live-drift.js'
