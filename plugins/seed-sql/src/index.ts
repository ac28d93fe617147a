export {splitSql} from './split.js'
