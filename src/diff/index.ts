// Schema diff: two models → an ordered, reversible migration plan.
export * from './change.js'
export {diffSchemas, PROTECTED_SCHEMAS} from './diff.js'
export {emptyModel} from '../schema/model.js'
export * from './renames.js'
export * from './breaking.js'
export {isWidening} from './types.js'
export {comparableTypeName, sameType, typeKey} from '../schema/types.js'
