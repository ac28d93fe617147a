/**
 * PostgreSQL rewrites what it stores: `age >= 0` comes back as `(age >= 0)`, `lower(title)` on a
 * varchar as `lower((title)::text)`. When a previous model (the newest migration snapshot) says the
 * same thing in other words, the live model takes those words, so pulling a database nself built
 * gives back the schema as it was written and `db run` finds nothing to do.
 *
 * "The same thing" is decided by PostgreSQL, not by guessing: each differing expression from the
 * previous model is applied to a temporary copy of its table inside a transaction that is rolled
 * back, and its stored text compared with the live one. Nothing outside pg_temp is touched.
 */
import type {Client} from 'pg'
import type {ColumnModel, SchemaModel, TableModel} from '../schema/model.js'
import {canonicalTypeName, sameType} from '../schema/types.js'
import {createIndex, defaultSql} from '../sql/ddl.js'
import {quoteQualified as qualify, quoteIdent, withRollback} from '@nself/sdk/sql'
import {pgIdent} from './sqltext.js'

interface Candidate {
  /** The statement that stores the previous spelling on the temporary table. */
  apply: (temp: string) => string
  /** Reads what PostgreSQL stored (text, or text[] for index parts). */
  read: (temp: string) => string
  live: string
  accept: () => void
}

const keyOf = (t: {schema: string; name: string}): string => `${t.schema}.${t.name}`

export async function preferPreviousSpelling(
  client: Client,
  live: SchemaModel,
  rawDefaults: Map<string, string>,
  previous: SchemaModel,
): Promise<SchemaModel> {
  const out = structuredClone(live)
  const before = new Map(previous.tables.map((t) => [keyOf(t), t]))
  const candidates = new Map<TableModel, Candidate[]>()
  for (const table of out.tables) {
    const old = before.get(keyOf(table))
    if (!old) continue
    const list = tableCandidates(table, old, rawDefaults)
    if (list.length > 0) candidates.set(table, list)
  }
  const present = new Set(out.tables.map(keyOf))
  out.tableGroups = previous.tableGroups
    .map((g) => ({...g, tables: g.tables.filter((t) => present.has(t))}))
    .filter((g) => g.tables.length > 0)
  for (const g of out.tableGroups) delete g.loc
  if (previous.note !== undefined && out.note === undefined) out.note = previous.note
  if (candidates.size > 0) await settle(client, candidates)
  return out
}

const SERIALS = new Set(['smallserial', 'serial', 'bigserial'])

function tableCandidates(table: TableModel, old: TableModel, rawDefaults: Map<string, string>): Candidate[] {
  const list: Candidate[] = []
  for (const column of table.columns) {
    const prev = old.columns.find((c) => c.name === column.name)
    if (!prev) continue
    if (sameType(prev.type, column.type)) column.type = structuredClone(prev.type)
    // A serial column is NOT NULL in the catalog whether or not the schema said so.
    if (SERIALS.has(canonicalTypeName(column.type.name) ?? '') && column.notNull && !prev.notNull)
      column.notNull = false
    const raw = rawDefaults.get(`${table.schema}.${table.name}.${column.name}`)
    if (
      raw !== undefined &&
      prev.default &&
      prev.default.kind !== 'null' &&
      JSON.stringify(prev.default) !== JSON.stringify(column.default)
    ) {
      list.push(defaultCandidate(column, prev, raw))
    }
  }
  for (const check of table.checks) {
    const prev = old.checks.find((c) => c.name === check.name)
    if (!prev || squash(prev.expression) === squash(check.expression)) continue
    list.push({
      apply: (temp) => `ALTER TABLE ${temp} ADD CONSTRAINT "nself_spelling" CHECK (${prev.expression}) NOT VALID`,
      read: (temp) =>
        `SELECT pg_get_expr(conbin, conrelid) AS v FROM pg_constraint WHERE conrelid = '${temp}'::regclass AND conname = 'nself_spelling'`,
      live: check.expression,
      accept: () => void (check.expression = prev.expression),
    })
  }
  for (const index of table.indexes) {
    const prev = old.indexes.find((i) => i.name === index.name)
    if (!prev || prev.parts.length !== index.parts.length || JSON.stringify(prev.parts) === JSON.stringify(index.parts))
      continue
    if (
      prev.parts.some(
        (p, i) =>
          p.kind !== index.parts[i].kind ||
          (p.kind === 'column' && JSON.stringify(p) !== JSON.stringify(index.parts[i])),
      )
    )
      continue
    list.push({
      apply: (temp) =>
        createIndex(
          {schema: 'pg_temp', name: temp.replace(/^"pg_temp"\."|"$/g, '')},
          {...prev, name: 'nself_spelling', unique: false},
          false,
        ),
      read: () =>
        `SELECT array_to_string(array(SELECT pg_get_indexdef(i.indexrelid, k, false) FROM generate_series(1, i.indnkeyatts) k), E'\\x01') AS v
           FROM pg_index i WHERE i.indexrelid = 'pg_temp.nself_spelling'::regclass`,
      live: index.parts.map((p) => (p.kind === 'expression' ? p.sql : pgIdent(p.name))).join('\x01'),
      accept: () => void (index.parts = structuredClone(prev.parts)),
    })
  }
  return list
}

function defaultCandidate(column: ColumnModel, prev: ColumnModel, raw: string): Candidate {
  const prevDefault = prev.default!
  return {
    apply: (temp) =>
      `ALTER TABLE ${temp} ALTER COLUMN ${quoteIdent(column.name)} SET DEFAULT ${defaultSql(prevDefault)}`,
    read: (temp) =>
      `SELECT pg_get_expr(d.adbin, d.adrelid) AS v FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE d.adrelid = '${temp}'::regclass AND a.attname = ${literal(column.name)}`,
    live: raw,
    accept: () => void (column.default = structuredClone(prevDefault)),
  }
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim()

/** Applies every candidate to a temporary copy of its table, in one transaction that is rolled back. */
async function settle(client: Client, candidates: Map<TableModel, Candidate[]>): Promise<void> {
  await withRollback(client, async () => {
    let n = 0
    for (const [table, list] of candidates) {
      const temp = qualify('pg_temp', `nself_spelling_${++n}`)
      await client.query(
        `CREATE TEMP TABLE ${temp.slice('"pg_temp".'.length)} (LIKE ${qualify(table.schema, table.name)})`,
      )
      for (const candidate of list) await tryCandidate(client, temp, candidate)
    }
  })
}

async function tryCandidate(client: Client, temp: string, candidate: Candidate): Promise<void> {
  await client.query('SAVEPOINT nself_spelling')
  try {
    await client.query(candidate.apply(temp))
    const {rows} = await client.query<{v: string | null}>(candidate.read(temp))
    if (rows[0]?.v === candidate.live) candidate.accept()
  } catch {
    // The previous words do not apply to this table any more: the live spelling stays.
  }
  await client.query('ROLLBACK TO SAVEPOINT nself_spelling')
}
