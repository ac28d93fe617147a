/**
 * Transaction planning. A migration runs as one transaction unless it holds statements that
 * PostgreSQL refuses inside a transaction block, or an enum value added and then used (55P04:
 * "unsafe use of new value" until the adding transaction commits). Those run on their own, in
 * autocommit, and the statements between them stay grouped in transactions. The runner detects
 * them itself: users hand-edit migrations and forget the `-- nself:no-transaction` marker.
 */
import {readFileSync} from 'node:fs'
import {isPlainTransactionControl, nonTransactionalKind, splitSql, type SqlStatement} from '@nself/sdk/sql'

export interface PlannedStatement extends SqlStatement {
  /** 0-based index among the migration's statements (what history.statements_done counts). */
  index: number
}

export type RunStep =
  | {kind: 'transaction'; statements: PlannedStatement[]}
  | {kind: 'single'; statement: PlannedStatement; reason: string; index?: IndexTarget}

/** The index a CREATE/DROP INDEX CONCURRENTLY works on, for resuming after a crash. */
export interface IndexTarget {
  action: 'create' | 'drop'
  name: string
  /** Schema when written qualified (`app.idx_x`), else undefined (search_path). */
  schema?: string
  ifNotExists: boolean
}

export interface TransactionPlan {
  statements: PlannedStatement[]
  steps: RunStep[]
  /** Transaction-control statements in the file (BEGIN, COMMIT…) that the runner leaves out: it manages transactions itself. */
  skipped: PlannedStatement[]
}

const ADD_ENUM_VALUE = /^ALTER\s+TYPE\s+[^;]+?\s+ADD\s+VALUE\s+(IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'/i

export function planTransactions(sql: string): TransactionPlan {
  const all = splitSql(sql)
  const skipped: PlannedStatement[] = []
  const statements: PlannedStatement[] = []
  for (const s of all) {
    const planned = {...s, index: statements.length}
    if (isPlainTransactionControl(s.sql)) skipped.push(planned)
    else statements.push(planned)
  }
  return {statements, steps: groupSteps(statements), skipped}
}

function groupSteps(statements: PlannedStatement[]): RunStep[] {
  const steps: RunStep[] = []
  let batch: PlannedStatement[] = []
  statements.forEach((statement, i) => {
    // Only an added enum value needs the statements after it (copying them for every statement is quadratic).
    const reason = nonTransactionalReason(statement, ADD_ENUM_VALUE.test(statement.sql) ? statements.slice(i + 1) : [])
    if (!reason) {
      batch.push(statement)
      return
    }
    if (batch.length) steps.push({kind: 'transaction', statements: batch})
    batch = []
    steps.push({kind: 'single', statement, reason, index: indexTarget(statement.sql)})
  })
  if (batch.length) steps.push({kind: 'transaction', statements: batch})
  return steps
}

/** Why this statement must run outside a transaction, or undefined when it may run inside one. */
export function nonTransactionalReason(statement: SqlStatement, later: SqlStatement[] = []): string | undefined {
  if (statement.markers.includes('no-transaction')) return 'marked -- nself:no-transaction'
  const kind = nonTransactionalKind(statement.sql)
  if (kind) return kind
  const enumValue = ADD_ENUM_VALUE.exec(statement.sql)
  if (enumValue) {
    const literal = `'${enumValue[2]}'`
    if (later.some((s) => s.sql.includes(literal))) return `enum value ${literal} is used later in the migration`
  }
  return undefined
}

const INDEX_NAME = String.raw`((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?)`
const CREATE_INDEX = new RegExp(
  String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(IF\s+NOT\s+EXISTS\s+)?${INDEX_NAME}\s+ON\b`,
  'i',
)
const DROP_INDEX = new RegExp(String.raw`^DROP\s+INDEX\s+CONCURRENTLY\s+(IF\s+EXISTS\s+)?${INDEX_NAME}`, 'i')

export function indexTarget(sql: string): IndexTarget | undefined {
  const create = CREATE_INDEX.exec(sql)
  if (create) return {action: 'create', ...splitName(create[2]), ifNotExists: Boolean(create[1])}
  const drop = DROP_INDEX.exec(sql)
  if (drop) return {action: 'drop', ...splitName(drop[2]), ifNotExists: Boolean(drop[1])}
  return undefined
}

function splitName(qualified: string): {name: string; schema?: string} {
  const parts = qualified.match(/"(?:[^"]|"")+"|[^.]+/g)!.map(unquoteIdent)
  return parts.length === 2 ? {schema: parts[0], name: parts[1]} : {name: parts[0]}
}

function unquoteIdent(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase()
}

/** How many statements the runner would run from this file (what `db status` shows for a partial run). */
export function statementCount(file: string): number {
  return planTransactions(readFileSync(file, 'utf8')).statements.length
}

/** True when running this SQL can destroy data (marker or DROP TABLE/COLUMN, TRUNCATE, DELETE): said before a production rollback. */
export function losesData(sql: string): boolean {
  if (/--\s*nself:data-loss\b/i.test(sql)) return true
  return splitSql(sql).some((s) =>
    /^(DROP\s+(TABLE|SCHEMA)|ALTER\s+TABLE\b[^;]*\bDROP\s+(COLUMN\b|(?!CONSTRAINT\b|DEFAULT\b|NOT\b|IDENTITY\b|EXPRESSION\b)\w)|TRUNCATE\b|DELETE\s+FROM\b)/i.test(
      s.sql,
    ),
  )
}
