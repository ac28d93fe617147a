export {readJsonArray, readJsonBatches, Scanner, JsonSeedError} from './json-array.js'
export {findJsonError} from './json-check.js'
