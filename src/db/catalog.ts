/**
 * A comparable snapshot of a database's schema, read from pg_catalog (not from SQL text), used by
 * `db diff --live` (drift) and by the round-trip tests: tables,
 * columns (type, nullability, default, identity, comment), constraints, indexes, enums, schemas.
 * Columns are compared by name, not position: PostgreSQL appends added columns and cannot reorder.
 * NOT NULL is compared on the column: PostgreSQL 18 also records it as a constraint (contype 'n')
 * whose name follows the table's name at creation, not a later rename, so those are left out.
 * Platform schemas (auth, storage, hdb_catalog) are left out of the schema list: migrations create
 * them if missing but never drop them.
 */
import type {Client} from 'pg'

export interface CatalogSnapshot {
  schemas: string[]
  tables: unknown[]
  columns: unknown[]
  constraints: unknown[]
  indexes: unknown[]
  enums: unknown[]
}

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`

const QUERIES: Record<Exclude<keyof CatalogSnapshot, 'schemas'>, string> = {
  tables: `SELECT n.nspname AS schema, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS} ORDER BY 1, 2`,
  columns: `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
      format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
      pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity,
      col_description(c.oid, a.attnum) AS comment
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
  constraints: `SELECT n.nspname AS schema, c.relname AS table, con.conname AS name, con.contype AS type,
      pg_get_constraintdef(con.oid) AS definition
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE con.contype <> 'n' AND ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
  indexes: `SELECT n.nspname AS schema, t.relname AS table, i.relname AS name, pg_get_indexdef(i.oid) AS definition,
      x.indisvalid AS valid, obj_description(i.oid, 'pg_class') AS comment
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = i.relnamespace
    WHERE ${USER_SCHEMAS} ORDER BY 1, 3`,
  enums: `SELECT n.nspname AS schema, t.typname AS name,
      array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels, obj_description(t.oid, 'pg_type') AS comment
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_SCHEMAS} GROUP BY n.nspname, t.typname, t.oid ORDER BY 1, 2`,
}

export async function readCatalog(client: Client): Promise<CatalogSnapshot> {
  const schemas = await client.query<{nspname: string}>(
    `SELECT nspname FROM pg_namespace n WHERE ${USER_SCHEMAS}
       AND nspname NOT IN ('public', 'auth', 'storage', 'hdb_catalog') ORDER BY 1`,
  )
  const snapshot: CatalogSnapshot = {
    schemas: schemas.rows.map((r) => r.nspname),
    tables: [],
    columns: [],
    constraints: [],
    indexes: [],
    enums: [],
  }
  for (const [key, query] of Object.entries(QUERIES)) {
    snapshot[key as keyof typeof QUERIES] = (await client.query(query)).rows
  }
  return snapshot
}
