export {readJsonArray, readJsonBatches, Scanner, JsonSeedError} from './json-array.js'
export {findJsonError} from './json-check.js'
export {EXACT_NUMBERS, isInexact, parseExact, type ExactNumbers} from './exact-numbers.js'
