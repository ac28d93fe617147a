/**
 * The catalog reads behind introspection: one query per catalog (not one per table), each
 * restricted to the schemas being read ($1, a text[]), so 2,000 tables cost the same dozen round
 * trips as 20. Objects that belong to an extension are left out everywhere: the extension makes them.
 *
 * Expressions are read with PostgreSQL's own deparsers (pg_get_expr, pg_get_indexdef,
 * pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef), not pretty-printed,
 * so that the same definition always reads back as the same text.
 */
import type {Client} from 'pg'
import {withRollback} from '@nself/sdk/sql'

/** Objects owned by an extension (CREATE EXTENSION made them). */
const NOT_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`

const SQL = {
  schemas: `SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment,
      pg_get_userbyid(n.nspowner) AS owner
    FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      AND ${NOT_EXTENSION('pg_namespace', 'n.oid')}
    ORDER BY 1`,

  relations: `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
      c.relispartition AS is_partition, c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls,
      c.relpersistence AS persistence, obj_description(c.oid, 'pg_class') AS comment,
      CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
      CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
      (SELECT array_agg(format('%I.%I', pn.nspname, p.relname) ORDER BY i.inhseqno) FROM pg_inherits i
         JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid) AS parents,
      CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_definition,
      pg_get_userbyid(c.relowner) AS owner
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY ($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${NOT_EXTENSION('pg_class', 'c.oid')}
    ORDER BY 2, 3`,

  columns: `SELECT a.attrelid::int8 AS rel, a.attnum AS num, a.attname AS name,
      format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
      pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity, a.attgenerated AS generated,
      CASE WHEN a.attcollation <> t.typcollation THEN format('%I.%I', cn.nspname, co.collname) END AS collation,
      col_description(a.attrelid, a.attnum) AS comment,
      bt.typtype AS base_kind, btn.nspname AS base_schema, bt.typname AS base_name,
      CASE WHEN bt.typtype = 'd' THEN format_type(bt.typbasetype, bt.typtypmod) END AS domain_base
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
    JOIN pg_namespace btn ON btn.oid = bt.typnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE n.nspname = ANY ($1) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY 1, 2`,

  constraints: `SELECT con.conrelid::int8 AS rel, con.conname AS name, con.contype AS type,
      con.conkey AS columns, con.confrelid::int8 AS ref_rel, con.confkey AS ref_columns,
      con.confupdtype AS on_update, con.confdeltype AS on_delete, con.confmatchtype AS match,
      con.condeferrable AS deferrable, con.condeferred AS deferred, con.convalidated AS validated,
      con.connoinherit AS no_inherit, con.conislocal AS is_local,
      pg_get_constraintdef(con.oid) AS definition,
      CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS expression,
      con.conindid::int8 AS index, obj_description(con.oid, 'pg_constraint') AS comment
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY ($1) AND c.relkind IN ('r', 'p')
      -- PostgreSQL 18 records NOT NULL as a constraint too: the column's attnotnull already says it.
      AND con.contype <> 'n'
    ORDER BY 1, 2`,

  indexes: `SELECT x.indexrelid::int8 AS oid, x.indrelid::int8 AS rel, i.relname AS name, x.indisunique AS unique,
      x.indisprimary AS primary, x.indnkeyatts AS key_count, x.indnatts AS count, x.indkey::int2[] AS keys,
      x.indoption::int2[] AS options, am.amname AS method, pg_get_expr(x.indpred, x.indrelid) AS predicate,
      x.indnullsnotdistinct AS nulls_not_distinct, x.indisvalid AS valid,
      CASE WHEN NOT bc.backs THEN (SELECT bool_and(o.opcdefault) FROM unnest(x.indclass::oid[]) oc JOIN pg_opclass o ON o.oid = oc) END AS default_opclasses,
      CASE WHEN NOT bc.backs THEN (SELECT bool_and(ic = 0 OR ic = a.attcollation) FROM unnest(x.indcollation::oid[], x.indkey::int2[]) AS u(ic, k)
         LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.k) END AS default_collations,
      CASE WHEN NOT bc.backs THEN pg_get_indexdef(x.indexrelid) END AS definition,
      CASE WHEN NOT bc.backs AND x.indexprs IS NOT NULL THEN array(SELECT pg_get_indexdef(x.indexrelid, k, false) FROM generate_series(1, x.indnkeyatts) k) ELSE '{}' END AS parts,
      obj_description(x.indexrelid, 'pg_class') AS comment, bc.backs AS backs_constraint
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x')) AS backs) bc
    JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam
    WHERE n.nspname = ANY ($1) AND t.relkind IN ('r', 'p', 'm')
    ORDER BY 2, 3`,

  types: `SELECT t.oid::int8 AS oid, n.nspname AS schema, t.typname AS name, t.typtype AS kind,
      CASE WHEN t.typtype = 'e' THEN (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) END AS labels,
      CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS domain_base,
      t.typnotnull AS domain_not_null, t.typdefault AS domain_default,
      CASE WHEN t.typtype = 'd' THEN (SELECT array_agg(format('CONSTRAINT %I %s', con.conname, pg_get_constraintdef(con.oid)) ORDER BY con.conname)
         FROM pg_constraint con WHERE con.contypid = t.oid) END AS domain_checks,
      CASE WHEN t.typtype = 'c' THEN (SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
         FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS composite,
      obj_description(t.oid, 'pg_type') AS comment
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = ANY ($1) AND ${NOT_EXTENSION('pg_type', 't.oid')}
      AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
    ORDER BY 2, 3`,

  sequences: `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
      s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
      s.seqcache::text AS cache, s.seqcycle AS cycle,
      d.refobjid::int8 AS owner_rel, d.refobjsubid AS owner_column, d.deptype AS dependency
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    WHERE n.nspname = ANY ($1) AND ${NOT_EXTENSION('pg_class', 'c.oid')}
    ORDER BY 2, 3`,

  functions: `SELECT p.oid::int8 AS oid, n.nspname AS schema, p.proname AS name, p.prokind AS kind,
      pg_get_function_identity_arguments(p.oid) AS arguments,
      CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END AS definition,
      CASE WHEN p.prokind = 'a' THEN (SELECT format('SFUNC = %s, STYPE = %s%s%s', ag.aggtransfn::regproc, format_type(ag.aggtranstype, NULL),
           CASE WHEN ag.aggfinalfn <> 0 THEN format(', FINALFUNC = %s', ag.aggfinalfn::regproc) ELSE '' END,
           CASE WHEN ag.agginitval IS NOT NULL THEN format(', INITCOND = %L', ag.agginitval) ELSE '' END)
         FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid) END AS aggregate,
      obj_description(p.oid, 'pg_proc') AS comment
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY ($1) AND ${NOT_EXTENSION('pg_proc', 'p.oid')}
    ORDER BY 2, 3, 5`,

  triggers: `SELECT tg.tgrelid::int8 AS rel, tg.tgname AS name, pg_get_triggerdef(tg.oid) AS definition, tg.tgenabled AS enabled
    FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY ($1) AND NOT tg.tgisinternal AND tg.tgparentid = 0
    ORDER BY 1, 2`,

  policies: `SELECT pol.polrelid::int8 AS rel, pol.polname AS name, pol.polpermissive AS permissive, pol.polcmd AS command,
      CASE WHEN pol.polroles = '{0}' THEN ARRAY['PUBLIC'] ELSE (SELECT array_agg(quote_ident(r.rolname) ORDER BY r.rolname) FROM pg_roles r WHERE r.oid = ANY (pol.polroles)) END AS roles,
      pg_get_expr(pol.polqual, pol.polrelid) AS using, pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check
    FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY ($1)
    ORDER BY 1, 2`,

  extensions: `SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname <> 'plpgsql' ORDER BY 1`,

  grants: `SELECT c.oid::int8 AS rel, a.privilege_type AS privilege, a.is_grantable AS grantable,
      CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
    WHERE n.nspname = ANY ($1) AND c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND a.grantee <> c.relowner AND ${NOT_EXTENSION('pg_class', 'c.oid')}
    ORDER BY 1, 4, 2`,
} as const

export type CatalogName = keyof typeof SQL

export interface RelationRow {
  oid: string
  schema: string
  name: string
  kind: 'r' | 'p' | 'v' | 'm' | 'f' | 'S'
  is_partition: boolean
  rls: boolean
  force_rls: boolean
  persistence: 'p' | 'u' | 't'
  comment: string | null
  partition_key: string | null
  partition_bound: string | null
  parents: string[] | null
  view_definition: string | null
  owner: string
}

export interface ColumnRow {
  rel: string
  num: number
  name: string
  type: string
  not_null: boolean
  default: string | null
  identity: '' | 'a' | 'd'
  generated: '' | 's'
  collation: string | null
  comment: string | null
  base_kind: string
  base_schema: string
  base_name: string
  domain_base: string | null
}

export interface ConstraintRow {
  rel: string
  name: string
  type: 'p' | 'u' | 'f' | 'c' | 'x' | 't'
  columns: number[] | null
  ref_rel: string
  ref_columns: number[] | null
  on_update: string
  on_delete: string
  match: string
  deferrable: boolean
  deferred: boolean
  validated: boolean
  no_inherit: boolean
  is_local: boolean
  definition: string
  expression: string | null
  index: string
  comment: string | null
}

export interface IndexRow {
  oid: string
  rel: string
  name: string
  unique: boolean
  primary: boolean
  key_count: number
  count: number
  keys: number[]
  options: number[]
  method: string
  predicate: string | null
  nulls_not_distinct: boolean
  valid: boolean
  default_opclasses: boolean | null
  default_collations: boolean | null
  /** Null for an index that backs a constraint (the constraint's definition says it all). */
  definition: string
  parts: string[]
  comment: string | null
  backs_constraint: boolean
}

export interface TypeRow {
  oid: string
  schema: string
  name: string
  kind: 'e' | 'd' | 'c'
  labels: string[] | null
  domain_base: string | null
  domain_not_null: boolean
  domain_default: string | null
  domain_checks: string[] | null
  composite: string | null
  comment: string | null
}

export interface SequenceRow {
  oid: string
  schema: string
  name: string
  type: string
  start: string
  increment: string
  min: string
  max: string
  cache: string
  cycle: boolean
  owner_rel: string | null
  owner_column: number | null
  dependency: 'a' | 'i' | null
}

export interface FunctionRow {
  oid: string
  schema: string
  name: string
  kind: 'f' | 'p' | 'a' | 'w'
  arguments: string
  definition: string | null
  aggregate: string | null
  comment: string | null
}

export interface TriggerRow {
  rel: string
  name: string
  definition: string
  enabled: string
}

export interface PolicyRow {
  rel: string
  name: string
  permissive: boolean
  command: 'r' | 'a' | 'w' | 'd' | '*'
  roles: string[]
  using: string | null
  with_check: string | null
}

export interface ExtensionRow {
  name: string
  schema: string
  version: string
}

export interface GrantRow {
  rel: string
  privilege: string
  grantable: boolean
  grantee: string
}

export interface CatalogRows {
  schemas: Array<{name: string; comment: string | null; owner: string}>
  relations: RelationRow[]
  columns: ColumnRow[]
  constraints: ConstraintRow[]
  indexes: IndexRow[]
  types: TypeRow[]
  sequences: SequenceRow[]
  functions: FunctionRow[]
  triggers: TriggerRow[]
  policies: PolicyRow[]
  extensions: ExtensionRow[]
  grants: GrantRow[]
}

/**
 * Reads every catalog for the given schemas in one repeatable-read snapshot, so a concurrent DDL
 * cannot give tables from one moment and columns from another.
 */
export async function readCatalogRows(client: Client, schemas: string[]): Promise<CatalogRows> {
  return withRollback(
    client,
    async () => {
      const rows = {} as Record<CatalogName, unknown[]>
      for (const [name, sql] of Object.entries(SQL) as Array<[CatalogName, string]>) {
        const params = sql.includes('$1') ? [schemas] : []
        rows[name] = (await client.query(sql, params)).rows
      }
      return rows as unknown as CatalogRows
    },
    {mode: 'ISOLATION LEVEL REPEATABLE READ READ ONLY'},
  )
}

/** Every schema that holds user objects (not pg_*, not information_schema, not an extension's). */
export async function listSchemas(client: Client): Promise<string[]> {
  return (await client.query<{name: string}>(SQL.schemas)).rows.map((r) => r.name)
}
