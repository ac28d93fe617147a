// Schema diff: two models → an ordered, reversible migration plan.
export * from './change.js'
export {diffSchemas, emptyModel, PROTECTED_SCHEMAS} from './diff.js'
export * from './renames.js'
export * from './breaking.js'
export {canonicalTypeName, isWidening, sameType, typeKey} from './types.js'
