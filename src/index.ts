// Library entry: the parts of nself that other programs (and tests) may use without the CLI.
export * from './schema/model.js'
export {diffSchemas, emptyModel, findBreakingChanges, findRenameCandidates, parseRename, PROTECTED_SCHEMAS} from './diff/index.js'
export type {BreakingChange, Change, ChangeKind, DiffOptions, Rename, RenameCandidate} from './diff/index.js'
export {downSteps, transactionGroups, upSteps} from './diff/steps.js'
export type {Step as ChangeStep} from './diff/steps.js'
export {NO_TRANSACTION_MARKER, readMigrationsState, renderMigration, splitGenerated} from './migrate/generated.js'
export * from './migrate/index.js'
// Parse, validate and diff DBML text: what plugins that bring DBML from elsewhere (dbdiagram) check it with.
export {parseSchema} from './schema/parse.js'
export {renderDiagnostic, validateSchema, type Diagnostic} from './validate/index.js'
