// Library entry: the parts of nself that other programs (and tests) may use without the CLI.
export * from './schema/model.js'
export {diffSchemas, findBreakingChanges, findRenameCandidates, parseRename, PROTECTED_SCHEMAS} from './diff/index.js'
export type {BreakingChange, Change, ChangeKind, DiffOptions, Rename, RenameCandidate} from './diff/index.js'
export {downSteps, transactionGroups, upSteps, type ChangeStep} from './diff/steps.js'
export * from './authoring/index.js'
export * from './runner/index.js'
export {splitSql, SqlSyntaxError, type SqlStatement} from '@nself/sdk/sql'
// Parse, validate and diff DBML text: what plugins that bring DBML from elsewhere (dbdiagram) check it with.
export {parseSchema} from './schema/parse.js'
export {renderDiagnostic, validateSchema, type Diagnostic} from './validate/index.js'
