/**
 * `db run --safe`: the same plan, with each change that would hold a lock on a table with rows
 * rewritten into its lock-light form. Every rewrite gives the same end state (verification proves
 * it), only the path differs:
 * - foreign key / CHECK: ADD … NOT VALID (a brief lock), then VALIDATE CONSTRAINT on its own,
 *   outside the transaction (reads and writes go on while rows are checked);
 * - SET NOT NULL: a NOT VALID `IS NOT NULL` check, validated on its own, then SET NOT NULL
 *   (PostgreSQL 12+ trusts the validated check and skips the scan) and the check dropped;
 * - UNIQUE constraint: CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX;
 * - DROP INDEX: CONCURRENTLY, on its own.
 * Indexes on existing tables are always built CONCURRENTLY, with or without --safe.
 * Tables created by the same migration are new and empty: their changes stay as they are.
 */
import type {Change} from '../diff/change.js'
import type {SchemaModel, TableModel} from '../schema/model.js'
import {quoteQualified as qualify, quoteIdent} from '@nself/sdk/sql'

export function safeChanges(changes: Change[], to: SchemaModel): Change[] {
  const created = new Set(changes.filter((c) => c.kind === 'create_table').map((c) => c.object))
  return changes.flatMap((c) => {
    const found = findTable(to, c.object)
    if (!found || created.has(`${found.table.schema}.${found.table.name}`))
      return c.kind === 'drop_index' ? [concurrentDrop(c)] : [c]
    const {table, member} = found
    switch (c.kind) {
      case 'add_foreign_key':
      case 'add_check':
        return notValidThenValidate(c, table, member)
      case 'add_unique':
        return uniqueUsingIndex(c, table, member)
      case 'alter_column_nullability':
        return c.up[0].endsWith(' SET NOT NULL') ? notNullViaCheck(c, table, member) : [c]
      default:
        return [c]
    }
  })
}

function findTable(model: SchemaModel, object: string): {table: TableModel; member: string} | undefined {
  for (const table of model.tables) {
    const key = `${table.schema}.${table.name}`
    if (object.startsWith(`${key}.`)) return {table, member: object.slice(key.length + 1)}
  }
  return undefined
}

const ref = (t: TableModel): string => qualify(t.schema, t.name)

function validateStep(c: Change, table: TableModel, name: string, what: string): Change {
  return {
    ...c,
    summary: `validate ${what} ${name} on ${table.schema}.${table.name} (rows checked without blocking writes)`,
    up: [`ALTER TABLE ${ref(table)} VALIDATE CONSTRAINT ${quoteIdent(name)}`],
    reverse: [],
    transactional: false,
    reverseTransactional: true,
    destructive: false,
    dataLoss: undefined,
    reverseDataLoss: undefined,
  }
}

function notValidThenValidate(c: Change, table: TableModel, name: string): Change[] {
  const what = c.kind === 'add_check' ? 'check' : 'foreign key'
  return [
    {...c, summary: `${c.summary} (NOT VALID)`, up: [`${c.up[0]} NOT VALID`, ...c.up.slice(1)]},
    validateStep(c, table, name, what),
  ]
}

function uniqueUsingIndex(c: Change, table: TableModel, name: string): Change[] {
  const unique = table.uniques.find((u) => u.name === name)
  if (!unique) return [c]
  const index = `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${ref(table)} (${unique.columns.map(quoteIdent).join(', ')})`
  return [
    {
      ...c,
      summary: `build the index of ${c.summary} concurrently`,
      up: [index],
      reverse: [`DROP INDEX IF EXISTS ${qualify(table.schema, name)}`],
      transactional: false,
    },
    {
      ...c,
      summary: `${c.summary} (using the index)`,
      up: [`ALTER TABLE ${ref(table)} ADD CONSTRAINT ${quoteIdent(name)} UNIQUE USING INDEX ${quoteIdent(name)}`],
    },
  ]
}

function notNullViaCheck(c: Change, table: TableModel, column: string): Change[] {
  const check = `${table.name}_${column}_not_null`.slice(0, 63)
  const drop = `ALTER TABLE ${ref(table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(check)}`
  return [
    {
      ...c,
      summary: `check ${column} IS NOT NULL on ${table.schema}.${table.name} (NOT VALID)`,
      up: [
        `ALTER TABLE ${ref(table)} ADD CONSTRAINT ${quoteIdent(check)} CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID`,
      ],
      reverse: [drop],
    },
    validateStep(c, table, check, 'check'),
    {...c, summary: `${c.summary} (after the validated check)`, up: [...c.up, drop]},
  ]
}

function concurrentDrop(c: Change): Change {
  return {...c, up: c.up.map((s) => s.replace(/^DROP INDEX /, 'DROP INDEX CONCURRENTLY ')), transactional: false}
}
