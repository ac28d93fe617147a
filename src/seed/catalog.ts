/**
 * What the seeder needs to know about the live database: each seeded table's columns (type, default,
 * NOT NULL) and the foreign keys between tables. Read from pg_catalog, so it is the database as it
 * is now, not as the schema file says it should be.
 */
import type {Client} from 'pg'
import {quoteQualified} from '@nself/sdk/sql'

export type ColumnKind = 'json' | 'array' | 'scalar'

export interface ColumnInfo {
  name: string
  /** As format_type prints it, e.g. "character varying(255)", "integer[]". */
  type: string
  kind: ColumnKind
  /** For arrays: whether the elements are json/jsonb. */
  jsonElements: boolean
  notNull: boolean
  /** A default, an identity or a generated value: omitting the column is not the same as NULL. */
  hasDefault: boolean
  generated: boolean
}

export interface TableInfo {
  schema: string
  table: string
  columns: ColumnInfo[]
}

export interface ForeignKey {
  name: string
  child: string
  parent: string
  columns: string[]
}

/** Columns of the given tables (qualified "schema.table"); tables that do not exist are absent. */
export async function readTables(client: Client, qualified: string[]): Promise<Map<string, TableInfo>> {
  const tables = new Map<string, TableInfo>()
  if (qualified.length === 0) return tables
  const {rows} = await client.query<{
    schema: string
    table: string
    name: string
    type: string
    category: string
    base: string | null
    element: string | null
    notNull: boolean
    hasDefault: boolean
    generated: boolean
  }>(
    `SELECT n.nspname AS schema, c.relname AS "table", a.attname AS name,
            format_type(a.atttypid, a.atttypmod) AS type,
            bt.typcategory AS category, bt.typname AS base, et.typname AS element,
            a.attnotnull AS "notNull", (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS "hasDefault",
            a.attgenerated <> '' AS generated
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
      WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        AND n.nspname || '.' || c.relname = ANY($1)
      ORDER BY n.nspname, c.relname, a.attnum`,
    [qualified],
  )
  for (const row of rows) {
    const key = `${row.schema}.${row.table}`
    if (!tables.has(key)) tables.set(key, {schema: row.schema, table: row.table, columns: []})
    tables.get(key)!.columns.push({
      name: row.name,
      type: row.type,
      kind: isJson(row.base) ? 'json' : row.category === 'A' ? 'array' : 'scalar',
      jsonElements: isJson(row.element),
      notNull: row.notNull,
      hasDefault: row.hasDefault,
      generated: row.generated,
    })
  }
  return tables
}

function isJson(typeName: string | null): boolean {
  return typeName === 'json' || typeName === 'jsonb'
}

/** Every foreign key of the database, child and parent as "schema.table". */
export async function readForeignKeys(client: Client): Promise<ForeignKey[]> {
  const {rows} = await client.query(
    `SELECT con.conname AS name, cn.nspname || '.' || cc.relname AS child, pn.nspname || '.' || pc.relname AS parent,
            ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = con.conrelid AND attnum = ANY(con.conkey) ORDER BY attnum)::text[] AS columns
       FROM pg_constraint con
       JOIN pg_class cc ON cc.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
       JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE con.contype = 'f'
      ORDER BY 2, 1`,
  )
  return rows as ForeignKey[]
}

export function quoteTable(info: {schema: string; table: string}): string {
  return quoteQualified(info.schema, info.table)
}
