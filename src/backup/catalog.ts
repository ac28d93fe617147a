/**
 * What the built-in backup path reads from the catalogs, and the SQL that recreates it.
 * Every query runs with search_path = pg_catalog (set by the caller's session), so the
 * pg_get_* functions and format_type() qualify every name, and the DDL does not depend on
 * the search_path of the restoring session.
 */
import type {Client} from 'pg'
import {quoteIdent, quoteLiteral, quoteQualified} from '@nself/sdk/sql'
import type {SequenceInfo} from './format.js'

/** Schemas nself never drops or restores: managed by Hasura / the auth and storage services. */
export const MANAGED_SCHEMAS = ['auth', 'storage', 'hdb_catalog', 'hdb_views']

/** Where a restore too big for one transaction keeps its journal (batched.ts): never backed up or dropped. */
export const RESTORE_JOURNAL_SCHEMA = 'nself_restore'

/** Schemas that are not the project's: the managed ones and nself's restore journal. */
export const SKIPPED_SCHEMAS = [...MANAGED_SCHEMAS, RESTORE_JOURNAL_SCHEMA]

/** SQL condition: namespace alias n is one of the project's schemas. */
export const PROJECT_SCHEMA_SQL = `n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspname NOT IN (${SKIPPED_SCHEMAS.map((s) => `'${s}'`).join(', ')})`

/** SQL condition: the object (class id, object id) is not a member of an extension. */
export const notExtensionMember = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`

export interface TableCopy {
  schema: string
  name: string
  /** Quoted column list for COPY: generated columns are left out (the server computes them). */
  columns: string[]
  /**
   * COPY in binary format: only when every column has a built-in type. Binary array values name
   * their element type's OID, which a user-defined type gets anew when it is recreated.
   */
  binary: boolean
}

/** The schema section of a built-in backup: DDL run before and after the data is loaded. */
export interface SchemaScript {
  pre: string[]
  post: string[]
  tables: TableCopy[]
  /** Materialized views to refresh after the data (pg_dump path: its schema-only archive creates them empty). */
  refresh?: string[]
}

export async function projectSchemas(client: Client): Promise<string[]> {
  const {rows} = await client.query<{name: string}>(
    `SELECT n.nspname AS name FROM pg_catalog.pg_namespace n WHERE ${PROJECT_SCHEMA_SQL} AND ${notExtensionMember('pg_namespace', 'n.oid')} ORDER BY 1`,
  )
  return rows.map((r) => r.name)
}

/** Ordinary tables of the given schemas (partitions too when withPartitions, as pg_dump carries them). */
export async function listTables(client: Client, schemas: string[], withPartitions = false): Promise<TableCopy[]> {
  const {rows} = await client.query<{schema: string; name: string; columns: string[]; binary: boolean | null}>(
    `SELECT n.nspname AS schema, c.relname AS name,
            array_agg(quote_ident(a.attname) ORDER BY a.attnum) FILTER (WHERE a.attgenerated = '') AS columns,
            bool_and(a.atttypid < 16384 AND t.typelem < 16384 AND t.typtype = 'b') FILTER (WHERE a.attgenerated = '') AS binary
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      WHERE c.relkind = 'r' AND n.nspname = ANY($1) AND ($2 OR NOT c.relispartition) AND ${notExtensionMember('pg_class', 'c.oid')}
      GROUP BY n.nspname, c.relname ORDER BY 1, 2`,
    [schemas, withPartitions],
  )
  return rows.map((r) => ({schema: r.schema, name: r.name, columns: r.columns ?? [], binary: r.binary === true}))
}

/** Every sequence of the schemas with its current value (setval restores it exactly). */
export async function sequenceValues(client: Client, schemas: string[]): Promise<SequenceInfo[]> {
  const {rows} = await client.query<{schema: string; name: string}>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S' AND n.nspname = ANY($1) AND ${notExtensionMember('pg_class', 'c.oid')} ORDER BY 1, 2`,
    [schemas],
  )
  if (rows.length === 0) return []
  // One round trip for all of them.
  const sql = rows
    .map((r, i) => `SELECT ${i} AS i, last_value::text AS value, is_called FROM ${quoteQualified(r.schema, r.name)}`)
    .join(' UNION ALL ')
  const values = await client.query<{i: number; value: string; is_called: boolean}>(sql)
  const byIndex = new Map(values.rows.map((v) => [Number(v.i), v]))
  return rows.map((r, i) => ({
    schema: r.schema,
    name: r.name,
    value: byIndex.get(i)!.value,
    isCalled: byIndex.get(i)!.is_called,
  }))
}

export function setvalSql(sequence: SequenceInfo): string {
  return `SELECT pg_catalog.setval(${quoteLiteral(quoteQualified(sequence.schema, sequence.name))}, ${sequence.value}, ${sequence.isCalled})`
}

// ---------------------------------------------------------------- DDL for the built-in path

interface ColumnRow {
  schema: string
  table: string
  name: string
  type: string
  notnull: boolean
  identity: string
  generated: string
  default: string | null
  collation: string | null
  comment: string | null
  seq_options: string | null
  seq_name: string | null
  unlogged: boolean
}

export async function schemaScript(client: Client, schemas: string[]): Promise<SchemaScript> {
  const tables = await listTables(client, schemas)
  const pre: string[] = [
    ...schemas.filter((s) => s !== 'public').map((s) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`),
    ...(await extensions(client)),
    ...(await enums(client, schemas)),
    ...(await freeSequences(client, schemas)),
    ...(await createTables(client, schemas)),
  ]
  const post: string[] = [
    ...(await ownedBy(client, schemas)),
    ...(await constraintsAndIndexes(client, schemas)),
    ...(await comments(client, schemas)),
  ]
  return {pre, post, tables}
}

async function extensions(client: Client): Promise<string[]> {
  const {rows} = await client.query<{name: string; schema: string}>(
    `SELECT e.extname AS name, n.nspname AS schema FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname <> 'plpgsql' ORDER BY e.oid`,
  )
  return rows.map((r) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(r.name)} WITH SCHEMA ${quoteIdent(r.schema)}`)
}

async function enums(client: Client, schemas: string[]): Promise<string[]> {
  const {rows} = await client.query<{schema: string; name: string; labels: string[]}>(
    `SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = ANY($1) AND ${notExtensionMember('pg_type', 't.oid')} GROUP BY n.nspname, t.typname, t.oid ORDER BY t.oid`,
    [schemas],
  )
  return rows.map(
    (r) => `CREATE TYPE ${quoteQualified(r.schema, r.name)} AS ENUM (${r.labels.map(quoteLiteral).join(', ')})`,
  )
}

const SEQUENCE_OPTIONS = `'INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin ||
  ' MAXVALUE ' || s.seqmax || ' START WITH ' || s.seqstart || ' CACHE ' || s.seqcache || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END`

/** Sequences that are not an identity column's own (those come with CREATE TABLE). */
async function freeSequences(client: Client, schemas: string[]): Promise<string[]> {
  const {rows} = await client.query<{schema: string; name: string; options: string}>(
    `SELECT n.nspname AS schema, c.relname AS name, 'AS ' || format_type(s.seqtypid, NULL) || ' ' || ${SEQUENCE_OPTIONS} AS options
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
      WHERE c.relkind = 'S' AND n.nspname = ANY($1) AND ${notExtensionMember('pg_class', 'c.oid')}
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
      ORDER BY 1, 2`,
    [schemas],
  )
  return rows.map((r) => `CREATE SEQUENCE ${quoteQualified(r.schema, r.name)} ${r.options}`)
}

async function createTables(client: Client, schemas: string[]): Promise<string[]> {
  const {rows} = await client.query<ColumnRow>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, a.attidentity AS identity, a.attgenerated AS generated,
            pg_get_expr(ad.adbin, ad.adrelid) AS default,
            CASE WHEN a.attcollation <> t.typcollation THEN
              (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_catalog.pg_collation co
                 JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END AS collation,
            col_description(c.oid, a.attnum) AS comment,
            (SELECT ${SEQUENCE_OPTIONS} FROM pg_catalog.pg_sequence s WHERE s.seqrelid = pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname)::regclass AND a.attidentity <> '') AS seq_options,
            CASE WHEN a.attidentity <> '' THEN pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) END AS seq_name,
            c.relpersistence = 'u' AS unlogged
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
      WHERE c.relkind = 'r' AND NOT c.relispartition AND n.nspname = ANY($1) AND ${notExtensionMember('pg_class', 'c.oid')}
      ORDER BY n.nspname, c.relname, a.attnum`,
    [schemas],
  )
  const byTable = new Map<string, ColumnRow[]>()
  for (const row of rows) {
    const key = quoteQualified(row.schema, row.table)
    byTable.set(key, [...(byTable.get(key) ?? []), row])
  }
  return [...byTable].map(
    ([table, columns]) =>
      `CREATE ${columns[0].unlogged ? 'UNLOGGED ' : ''}TABLE ${table} (\n  ${columns.map(columnSql).join(',\n  ')}\n)`,
  )
}

function columnSql(column: ColumnRow): string {
  const parts = [quoteIdent(column.name), column.type]
  if (column.collation) parts.push(`COLLATE ${column.collation}`)
  if (column.generated === 's') parts.push(`GENERATED ALWAYS AS (${column.default}) STORED`)
  else if (column.default !== null) parts.push(`DEFAULT ${column.default}`)
  if (column.identity) {
    const kind = column.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'
    parts.push(`GENERATED ${kind} AS IDENTITY (SEQUENCE NAME ${column.seq_name} ${column.seq_options})`)
  }
  if (column.notnull) parts.push('NOT NULL')
  return parts.join(' ')
}

/** serial-style sequences: OWNED BY their column, so dropping the table drops them, as before. */
async function ownedBy(client: Client, schemas: string[]): Promise<string[]> {
  const {rows} = await client.query<{sequence: string; column: string}>(
    `SELECT quote_ident(sn.nspname) || '.' || quote_ident(s.relname) AS sequence,
            quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.' || quote_ident(a.attname) AS column
       FROM pg_catalog.pg_depend d
       JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
       JOIN pg_catalog.pg_class t ON t.oid = d.refobjid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND sn.nspname = ANY($1)`,
    [schemas],
  )
  return rows.map((r) => `ALTER SEQUENCE ${r.sequence} OWNED BY ${r.column}`)
}

/** Keys and checks, then plain indexes, then foreign keys: built after the data is in, which is faster than maintaining them row by row. */
async function constraintsAndIndexes(client: Client, schemas: string[]): Promise<string[]> {
  const constraints = await client.query<{table: string; name: string; type: string; def: string}>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS table, co.conname AS name, co.contype AS type, pg_get_constraintdef(co.oid) AS def
       FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND NOT c.relispartition AND n.nspname = ANY($1) AND co.contype IN ('p', 'u', 'x', 'c', 'f') AND co.conislocal
      ORDER BY CASE co.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3 ELSE 5 END, 1, 2`,
    [schemas],
  )
  const indexes = await client.query<{def: string}>(
    `SELECT pg_get_indexdef(i.indexrelid) AS def
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND NOT c.relispartition AND n.nspname = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
      ORDER BY i.indexrelid`,
    [schemas],
  )
  const sql = (r: {table: string; name: string; def: string}) =>
    `ALTER TABLE ${r.table} ADD CONSTRAINT ${quoteIdent(r.name)} ${r.def}`
  const keys = constraints.rows.filter((r) => r.type !== 'f').map(sql)
  const foreign = constraints.rows.filter((r) => r.type === 'f').map(sql)
  return [...keys, ...indexes.rows.map((r) => r.def), ...foreign]
}

async function comments(client: Client, schemas: string[]): Promise<string[]> {
  const {rows} = await client.query<{target: string; comment: string}>(
    `SELECT 'TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS target, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = ANY($1) AND obj_description(c.oid, 'pg_class') IS NOT NULL
     UNION ALL
     SELECT 'COLUMN ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname), col_description(c.oid, a.attnum)
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind = 'r' AND n.nspname = ANY($1) AND col_description(c.oid, a.attnum) IS NOT NULL
     UNION ALL
     SELECT 'TYPE ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname), obj_description(t.oid, 'pg_type')
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype = 'e' AND n.nspname = ANY($1) AND obj_description(t.oid, 'pg_type') IS NOT NULL
     UNION ALL
     SELECT 'CONSTRAINT ' || quote_ident(co.conname) || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname), obj_description(co.oid, 'pg_constraint')
       FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND obj_description(co.oid, 'pg_constraint') IS NOT NULL`,
    [schemas],
  )
  return rows.map((r) => `COMMENT ON ${r.target} IS ${quoteLiteral(r.comment)}`)
}

// ---------------------------------------------------------------- what the built-in path cannot carry

const NOT_CARRIED: [kind: string, sql: string][] = [
  [
    'views',
    `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND n.nspname = ANY($1) AND ${notExtensionMember('pg_class', 'c.oid')}`,
  ],
  [
    'materialized views',
    `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND n.nspname = ANY($1) AND ${notExtensionMember('pg_class', 'c.oid')}`,
  ],
  [
    'partitioned tables',
    `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE (c.relkind = 'p' OR c.relispartition) AND n.nspname = ANY($1)`,
  ],
  [
    'foreign tables',
    `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'f' AND n.nspname = ANY($1)`,
  ],
  [
    'inherited tables',
    `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT c.relispartition AND n.nspname = ANY($1)`,
  ],
  [
    'functions and procedures',
    `SELECT n.nspname || '.' || p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1) AND ${notExtensionMember('pg_proc', 'p.oid')}`,
  ],
  [
    'triggers',
    `SELECT t.tgname || ' on ' || n.nspname || '.' || c.relname FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = ANY($1)`,
  ],
  [
    'row-level security policies',
    `SELECT p.polname || ' on ' || n.nspname || '.' || c.relname FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1)`,
  ],
  [
    'tables with row-level security enabled',
    `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relrowsecurity AND n.nspname = ANY($1)`,
  ],
  [
    'rules',
    `SELECT r.rulename || ' on ' || n.nspname || '.' || c.relname FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE r.rulename <> '_RETURN' AND n.nspname = ANY($1)`,
  ],
  [
    'domains, composite and range types',
    `SELECT n.nspname || '.' || t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid WHERE (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND c.relkind = 'c')) AND n.nspname = ANY($1) AND ${notExtensionMember('pg_type', 't.oid')}`,
  ],
  [
    'extended statistics',
    `SELECT n.nspname || '.' || s.stxname FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace WHERE n.nspname = ANY($1)`,
  ],
]

/** One line per kind of object present that the built-in path does not carry: "2 views: public.a, public.b". */
export async function notCarried(client: Client, schemas: string[]): Promise<string[]> {
  const sql = NOT_CARRIED.map(([, query], i) => `SELECT ${i} AS i, name FROM (${query}) AS q(name)`).join(' UNION ALL ')
  const {rows} = await client.query<{i: number; name: string}>(
    `SELECT i, array_agg(name ORDER BY name) AS names FROM (${sql}) s GROUP BY i ORDER BY i`,
    [schemas],
  )
  return rows.map((row) => {
    const names = (row as unknown as {names: string[]}).names
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '')
    return `${names.length} ${NOT_CARRIED[row.i][0]}: ${shown}`
  })
}

export async function populatedMaterializedViews(client: Client, schemas: string[]): Promise<string[]> {
  const {rows} = await client.query<{name: string}>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'm' AND c.relispopulated AND n.nspname = ANY($1) ORDER BY c.oid`,
    [schemas],
  )
  return rows.map((r) => r.name)
}

/** Large objects (pg_largeobject) belong to no schema; neither path carries them. */
export async function largeObjects(client: Client): Promise<string[]> {
  const {rows} = await client.query<{n: string}>('SELECT count(*)::text AS n FROM pg_catalog.pg_largeobject_metadata')
  return rows[0].n === '0' ? [] : [`${rows[0].n} large objects (pg_largeobject)`]
}
