/**
 * The one PostgreSQL toolkit of nself and its plugins: quoting, the SQL lexer, server errors and
 * transactions. Importable on its own as '@nself/sdk/sql' (no oclif at run time).
 */
export {commentText, CONTROL_CHARACTERS, quoteIdent, quoteIdentList, quoteLiteral, quoteQualified} from './quote.js'
export {isPgError, pgMessage, type PgError, type PgMessageOptions} from './errors.js'
export {splitSql, SqlSyntaxError, type SqlStatement} from './split.js'
export {withRollback, withTransaction, type Queryable, type TransactionOptions} from './transaction.js'
export {isPlainTransactionControl, isTransactionControl, nonTransactionalKind} from './transactional.js'
