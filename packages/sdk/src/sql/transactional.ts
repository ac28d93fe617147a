/**
 * What PostgreSQL does with a statement and transactions, read from its first words: statements
 * that end or open a transaction (COMMIT, BEGIN…), and statements it refuses inside one (VACUUM,
 * CREATE INDEX CONCURRENTLY…). Shared by the migration runner (which runs the latter on their own)
 * and the seed run (which refuses both: it is one transaction).
 */

const NON_TRANSACTIONAL: [RegExp, string][] = [
  [/^(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX)\s+CONCURRENTLY\b/i, 'concurrent index build'],
  [/^REINDEX\b[^;]*\bCONCURRENTLY\b/i, 'REINDEX CONCURRENTLY'],
  [/^REINDEX\s+(\([^)]*\)\s*)?(DATABASE|SYSTEM)\b/i, 'REINDEX DATABASE/SYSTEM'],
  [/^VACUUM\b/i, 'VACUUM'],
  [/^ALTER\s+SYSTEM\b/i, 'ALTER SYSTEM'],
  [/^(CREATE|DROP)\s+(DATABASE|TABLESPACE)\b/i, 'database/tablespace DDL'],
  [/^ALTER\s+DATABASE\b[^;]*\bSET\s+TABLESPACE\b/i, 'ALTER DATABASE … SET TABLESPACE'],
  [/^ALTER\s+TABLE\b[^;]*\bDETACH\s+PARTITION\b[^;]*\bCONCURRENTLY\b/i, 'DETACH PARTITION CONCURRENTLY'],
  [/^(CREATE|DROP)\s+SUBSCRIPTION\b/i, 'subscription DDL'],
  [/^ALTER\s+SUBSCRIPTION\b[^;]*\bREFRESH\b/i, 'ALTER SUBSCRIPTION … REFRESH'],
  [/^CLUSTER\s*$/i, 'CLUSTER of the whole database'],
  [/^DISCARD\s+ALL\b/i, 'DISCARD ALL'],
]

/** The plain forms a migration file may hold and the runner leaves out (it manages transactions). */
const PLAIN_TRANSACTION_CONTROL = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?\s*$/i

/**
 * Every statement that ends, opens or prepares a transaction, with options (BEGIN ISOLATION LEVEL…,
 * COMMIT AND CHAIN, COMMIT PREPARED). ROLLBACK TO SAVEPOINT stays inside the transaction: not one.
 */
const TRANSACTION_CONTROL =
  /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|PREPARE\s+TRANSACTION)\b|^ROLLBACK\b(?!\s+((WORK|TRANSACTION)\s+)?TO\b)/i

/** Why PostgreSQL refuses this statement inside a transaction block, or undefined. */
export function nonTransactionalKind(sql: string): string | undefined {
  for (const [pattern, reason] of NON_TRANSACTIONAL) if (pattern.test(sql)) return reason
  return undefined
}

/** BEGIN, COMMIT, ROLLBACK… in their plain forms (what a hand-written migration wraps itself in). */
export function isPlainTransactionControl(sql: string): boolean {
  return PLAIN_TRANSACTION_CONTROL.test(sql)
}

/** Any statement that ends, opens or prepares a transaction. */
export function isTransactionControl(sql: string): boolean {
  return TRANSACTION_CONTROL.test(sql)
}
