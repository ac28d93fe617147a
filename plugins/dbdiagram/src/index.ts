export {
  DbdiagramClient,
  toDiagram,
  retryAfterMs,
  resetMs,
  TOKEN_HINT,
  type Diagram,
  type ClientOptions,
} from './lib/client.js'
export {loadSettings, parseDiagramId, DEFAULT_API_URL, type DbdiagramSettings} from './lib/settings.js'
export {readState, writeState, hashContent, normalize, type SyncState} from './lib/state.js'
export {compare, baseFor, DESCRIBE, type SyncStatus, type Comparison} from './lib/sync.js'
export {push, pull, status, type SyncContext, type SyncResult, type Io} from './lib/operations.js'
export {schemaTools, type SchemaTools} from './lib/core.js'
export {writeAtomic} from './lib/files.js'
