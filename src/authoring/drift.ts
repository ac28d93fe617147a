/**
 * Catalog comparison: two databases' pg_catalog reads, row by row, used by the verified
 * migrations (src/verify) to prove an up/down pair on a scratch database. A model is built for real
 * (expectedCatalog) so types, defaults and index definitions are compared in PostgreSQL's own
 * spelling, with nothing to normalise by hand. `db diff --live` uses the introspection instead
 * (./live-drift.ts).
 */
import type {Client} from 'pg'
import {withTransaction} from '@nself/sdk/sql'
import type {CatalogSnapshot} from '../db/catalog.js'
import {readCatalog} from '../db/catalog.js'
import {diffSchemas, emptyModel} from '../diff/index.js'
import type {SchemaModel} from '../schema/model.js'
import {transactionGroups, upSteps} from '../diff/steps.js'

export interface DriftItem {
  kind: 'missing' | 'unexpected' | 'different'
  category: 'schema' | 'table' | 'column' | 'constraint' | 'index' | 'enum'
  object: string
  /** "type: expected integer, found bigint; not_null: expected true, found false" */
  detail: string
}

/** A catalog row: the names that identify it (text columns), and the fields compared. */
type Row = {schema: string; name: string; table?: string; [field: string]: unknown}
type Category = Exclude<DriftItem['category'], 'schema'>

const KEYS: Record<Category, (r: Row) => string> = {
  table: (r) => `${r.schema}.${r.name}`,
  column: (r) => `${r.schema}.${r.table}.${r.name}`,
  constraint: (r) => `${r.schema}.${r.table}.${r.name}`,
  index: (r) => `${r.schema}.${r.name}`,
  enum: (r) => `${r.schema}.${r.name}`,
}

const FIELDS: Record<Category, keyof CatalogSnapshot> = {
  table: 'tables',
  column: 'columns',
  constraint: 'constraints',
  index: 'indexes',
  enum: 'enums',
}

/** Which live objects the comparison looks at (platform tables and the history table are not ours). */
export type Scope = (schema: string, table: string | undefined) => boolean

export function compareCatalogs(expected: CatalogSnapshot, actual: CatalogSnapshot, inScope: Scope): DriftItem[] {
  const items: DriftItem[] = []
  const missingSchemas = expected.schemas.filter((s) => !actual.schemas.includes(s))
  for (const s of missingSchemas)
    items.push({kind: 'missing', category: 'schema', object: s, detail: 'schema not found'})
  for (const category of Object.keys(KEYS) as Category[]) {
    const field = FIELDS[category]
    const rows = (snapshot: CatalogSnapshot) =>
      new Map(
        (snapshot[field] as Row[])
          .filter((r) => inScope(String(r.schema), tableOf(category, r)))
          .map((r) => [KEYS[category](r), r]),
      )
    items.push(...compareRows(category, rows(expected), rows(actual)))
  }
  return items
}

function tableOf(category: Category, r: Row): string | undefined {
  if (category === 'table') return String(r.name)
  if (category === 'enum') return undefined
  return String(r.table)
}

function compareRows(category: Category, expected: Map<string, Row>, actual: Map<string, Row>): DriftItem[] {
  const items: DriftItem[] = []
  for (const [key, row] of expected) {
    const live = actual.get(key)
    if (!live) {
      items.push({kind: 'missing', category, object: key, detail: `${category} not found`})
      continue
    }
    const differences = Object.keys(row)
      .filter((f) => JSON.stringify(row[f]) !== JSON.stringify(live[f]))
      .map((f) => `${f}: expected ${show(row[f])}, found ${show(live[f])}`)
    if (differences.length > 0) items.push({kind: 'different', category, object: key, detail: differences.join('; ')})
  }
  for (const key of actual.keys()) {
    if (!expected.has(key))
      items.push({kind: 'unexpected', category, object: key, detail: `${category} not in the migrations`})
  }
  return items
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Builds `model` from nothing in an empty (scratch) database and reads its catalog. */
export async function expectedCatalog(scratch: Client, model: SchemaModel): Promise<CatalogSnapshot> {
  // From nothing every statement is transactional (no CONCURRENTLY on new tables): one transaction.
  for (const group of transactionGroups(upSteps(diffSchemas(emptyModel(), model)))) {
    await withTransaction(scratch, async () => {
      for (const statement of group.statements) await scratch.query(statement)
    })
  }
  return readCatalog(scratch)
}
