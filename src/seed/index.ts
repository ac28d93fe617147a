// Seeding as a library (no oclif): `nself db seed`, `nself init` (DB_SEED_ON_INIT) and `nself db status` use it.
export {
  seed,
  type SeedOptions,
  type SeedResult,
  type SeedFileResult,
  type SeedEvent,
  type SeedFileStatus,
} from './run.js'
export {seedOnInit, type SeedOnInitResult} from './init.js'
export {seedStatus, readSeedRecords, SEED_TABLE, type SeedRecord, type SeedStatusEntry} from './status.js'
export {buildRegistry, type PluginLoaders, type LoaderRegistry} from './loaders.js'
export {discoverSeedFiles, parseSeedFileName, type DiscoveredFile} from './files.js'
export {arrayLiteral, escapeText} from './encode.js'
