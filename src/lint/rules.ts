/**
 * Unsafe-change lint: statements that lock or rewrite a busy table, or fail on existing rows.
 * The rules and their ids are squawk's (https://squawkhq.com/docs/rules), so a finding can be
 * looked up there; `removing-enum-value` is nself's own (squawk has no such rule).
 * Statements on a table created earlier in the same migration are not flagged: that table is
 * new and empty, nobody else can hold it.
 */

export interface LintStatement {
  sql: string
  /** Where it is, for messages: "database/migrations/003_x.up.sql:12". */
  where: string
}

export interface Finding {
  rule: string
  /** "squawk" when the id is squawk's, "nself" for nself's own rules. */
  source: 'squawk' | 'nself'
  where: string
  statement: string
  message: string
  /** What `db run --safe` generates instead, when there is a safe form. */
  safe?: string
}

interface Rule {
  id: string
  source?: 'nself'
  /** Matches the statement (upper-cased, whitespace collapsed, quotes kept). */
  test: (s: string) => boolean
  message: string
  safe?: string
}

const has = (re: RegExp) => (s: string) => re.test(s)

const RULES: Rule[] = [
  {
    id: 'adding-required-field',
    test: (s) =>
      /\bADD COLUMN\b.*\bNOT NULL\b/.test(s) &&
      !/\bDEFAULT\b|\bGENERATED\b|\bSERIAL\b|\bBIGSERIAL\b|\bSMALLSERIAL\b/.test(s),
    message: 'a NOT NULL column without a default fails on a table that has rows, and inserts that omit it fail',
  },
  {
    id: 'adding-not-nullable-field',
    test: has(/\bALTER COLUMN\b.*\bSET NOT NULL\b/),
    message:
      'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock (reads and writes wait), and fails on rows holding NULL',
    safe: 'ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT (no write lock); SET NOT NULL (uses the validated check, no scan)',
  },
  {
    id: 'changing-column-type',
    test: has(/\bALTER COLUMN\b.*\b(SET DATA )?TYPE\b/),
    message: 'changing a column type may rewrite the table and its indexes under an ACCESS EXCLUSIVE lock',
  },
  {
    id: 'require-concurrent-index-creation',
    test: (s) => /^CREATE (UNIQUE )?INDEX\b/.test(s) && !/\bCONCURRENTLY\b/.test(s),
    message: 'CREATE INDEX without CONCURRENTLY blocks writes to the table while the index is built',
    safe: 'CREATE INDEX CONCURRENTLY, in its own step outside the transaction',
  },
  {
    id: 'require-concurrent-index-deletion',
    test: (s) => /^DROP INDEX\b/.test(s) && !/\bCONCURRENTLY\b/.test(s),
    message: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table',
    safe: 'DROP INDEX CONCURRENTLY, in its own step outside the transaction',
  },
  {
    id: 'adding-foreign-key-constraint',
    test: (s) => /\bADD CONSTRAINT\b.*\bFOREIGN KEY\b/.test(s) && !/\bNOT VALID\b/.test(s),
    message: 'adding a foreign key checks every row while writes to both tables are blocked',
    safe: 'ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later step (no write lock)',
  },
  {
    id: 'constraint-missing-not-valid',
    test: (s) => /\bADD CONSTRAINT\b.*\bCHECK\b/.test(s) && !/\bNOT VALID\b/.test(s),
    message: 'adding a CHECK scans the table under an ACCESS EXCLUSIVE lock, and fails on rows that violate it',
    safe: 'ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later step (no write lock)',
  },
  {
    id: 'disallowed-unique-constraint',
    test: (s) => /\bADD CONSTRAINT\b.*\bUNIQUE\b/.test(s) && !/\bUSING INDEX\b/.test(s),
    message: 'adding a UNIQUE constraint builds its index under an ACCESS EXCLUSIVE lock (reads and writes wait)',
    safe: 'CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … UNIQUE USING INDEX',
  },
  {
    id: 'adding-serial-primary-key-field',
    test: (s) => /\bADD CONSTRAINT\b.*\bPRIMARY KEY\b/.test(s) && !/\bUSING INDEX\b/.test(s),
    message: 'adding a primary key builds its index under an ACCESS EXCLUSIVE lock (reads and writes wait)',
  },
  {
    id: 'ban-drop-column',
    test: has(/\bDROP COLUMN\b/),
    message: 'dropping a column loses its data, and running code that still reads it fails',
  },
  {
    id: 'ban-drop-table',
    test: has(/^DROP TABLE\b/),
    message: 'dropping a table loses its rows, and running code that still uses it fails',
  },
  {
    id: 'renaming-column',
    test: has(/\bRENAME COLUMN\b/),
    message: 'running code that uses the old column name fails as soon as this commits',
  },
  {
    id: 'renaming-table',
    test: (s) => /^ALTER TABLE\b.*\bRENAME TO\b/.test(s),
    message: 'running code that uses the old table name fails as soon as this commits',
  },
  {
    id: 'removing-enum-value',
    source: 'nself',
    // How nself rebuilds an enum to remove or reorder values (src/diff/enums.ts).
    test: (s) => /^ALTER TYPE\b.*\bRENAME TO\b.*__OLD"?$/.test(s),
    message:
      'removing or reordering enum values rebuilds the type and rewrites every column that uses it; rows holding a removed value make it fail',
  },
]

export const RULE_IDS = RULES.map((r) => r.id)

/** Name of the table a statement works on, quotes removed and "public." added when unqualified. */
export function statementTable(sql: string): string | undefined {
  const m =
    /^(?:ALTER TABLE(?: IF EXISTS)?(?: ONLY)?|CREATE (?:UNIQUE )?INDEX(?: CONCURRENTLY)?(?: IF NOT EXISTS)?\s+\S+\s+ON(?: ONLY)?|DROP TABLE(?: IF EXISTS)?)\s+((?:"[^"]*"|[^\s(."]+)(?:\.(?:"[^"]*"|[^\s(."]+))?)/i.exec(
      sql.trim(),
    )
  return m ? normalizeName(m[1]) : undefined
}

function normalizeName(name: string): string {
  const parts = [...name.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((p) =>
    p[1] !== undefined ? p[1].replace(/""/g, '"') : p[2].toLowerCase(),
  )
  return parts.length === 1 ? `public.${parts[0]}` : parts.join('.')
}

function createdTable(sql: string): string | undefined {
  const m = /^CREATE TABLE(?: IF NOT EXISTS)?\s+((?:"[^"]*"|[^\s(."]+)(?:\.(?:"[^"]*"|[^\s(."]+))?)/i.exec(sql.trim())
  return m ? normalizeName(m[1]) : undefined
}

/** Findings for one migration's statements, in order. */
export function lintStatements(statements: LintStatement[]): Finding[] {
  const created = new Set<string>()
  const validatedNotNull = new Set<string>()
  const pendingChecks = new Map<string, string>()
  const findings: Finding[] = []
  for (const st of statements) {
    const table = createdTable(st.sql)
    if (table) {
      created.add(table)
      continue
    }
    const flat = st.sql.replace(/\s+/g, ' ').trim()
    const upper = flat.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'/g, (q) => (q.startsWith('"') ? q : "''")).toUpperCase()
    const target = statementTable(flat)
    trackNotNullChecks(flat, target, pendingChecks, validatedNotNull)
    if (target !== undefined && created.has(target) && !/^DROP TABLE\b/.test(upper)) continue
    for (const rule of RULES) {
      if (!rule.test(upper)) continue
      if (rule.id === 'adding-not-nullable-field' && notNullIsCovered(flat, target, validatedNotNull)) continue
      findings.push({
        rule: rule.id,
        source: rule.source ?? 'squawk',
        where: st.where,
        statement: firstLine(flat),
        message: rule.message,
        ...(rule.safe ? {safe: rule.safe} : {}),
      })
    }
  }
  return findings
}

/** `CHECK (col IS NOT NULL) NOT VALID` then `VALIDATE CONSTRAINT`: a later SET NOT NULL needs no scan. */
function trackNotNullChecks(
  flat: string,
  table: string | undefined,
  pending: Map<string, string>,
  validated: Set<string>,
): void {
  const add = /ADD CONSTRAINT ("(?:[^"]|"")*"|\S+) CHECK \(\(?("(?:[^"]|"")*"|\w+) IS NOT NULL\)?\) NOT VALID/i.exec(
    flat,
  )
  if (add) pending.set(`${table}|${add[1]}`, add[2])
  const validate = /VALIDATE CONSTRAINT ("(?:[^"]|"")*"|\S+)/i.exec(flat)
  const column = validate && pending.get(`${table}|${validate[1]}`)
  if (column) validated.add(`${table}|${column}`)
}

function notNullIsCovered(flat: string, table: string | undefined, validated: Set<string>): boolean {
  const m = /ALTER COLUMN ("(?:[^"]|"")*"|\w+) SET NOT NULL/i.exec(flat)
  return m !== null && validated.has(`${table}|${m[1]}`)
}

function firstLine(sql: string): string {
  return sql.length > 160 ? `${sql.slice(0, 160)}…` : sql
}
