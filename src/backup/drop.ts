/**
 * Dropping every object of the project's schemas: what `db reset` does, and what `db restore` does
 * first (inside its transaction). It is one DO block so that it runs in the caller's transaction
 * (ours, or psql's for the pg_dump path) and sees the catalog as it is at that moment.
 * Left alone: the managed schemas (auth, storage, hdb_catalog, hdb_views), nself's restore journal, extensions and their
 * members, and schemas that hold an extension (only their other objects are dropped).
 */
import {quoteLiteral} from '@nself/sdk/sql'
import {SKIPPED_SCHEMAS} from './catalog.js'

const excluded = SKIPPED_SCHEMAS.map((s) => `'${s}'`).join(', ')
const member = (catalog: string, oid: string) =>
  `EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '${catalog}'::pg_catalog.regclass AND d.objid = ${oid} AND d.deptype = 'e')`

/**
 * The DO block that drops the project's objects: of every project schema, or (restore without
 * --clean) only of the schemas listed, so what a backup does not cover is kept.
 */
export function dropProjectObjectsSql(schemas?: string[]): string {
  const scope = schemas ? ` AND n.nspname = ANY (ARRAY[${schemas.map(quoteLiteral).join(', ')}]::text[])` : ''
  return `DO $nself_drop$
DECLARE r record;
BEGIN
  -- Whole schemas, when no extension lives in them.
  FOR r IN SELECT n.nspname FROM pg_catalog.pg_namespace n
            WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'public', ${excluded})
              AND NOT ${member('pg_namespace', 'n.oid')}
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extnamespace = n.oid)${scope} LOOP
    EXECUTE pg_catalog.format('DROP SCHEMA %I CASCADE', r.nspname);
  END LOOP;
  -- Objects of the schemas that remain (public, and those with extensions), extension members excepted.
  FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', ${excluded})
              AND c.relkind IN ('v', 'm', 'r', 'p', 'f', 'S') AND NOT c.relispartition AND NOT ${member('pg_class', 'c.oid')}${scope}
            ORDER BY CASE c.relkind WHEN 'v' THEN 0 WHEN 'm' THEN 1 WHEN 'S' THEN 3 ELSE 2 END LOOP
    EXECUTE pg_catalog.format('DROP %s IF EXISTS %I.%I CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
      r.nspname, r.relname);
  END LOOP;
  FOR r IN SELECT p.oid, n.nspname, p.proname, p.prokind, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', ${excluded}) AND NOT ${member('pg_proc', 'p.oid')}${scope} LOOP
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE oid = r.oid) THEN
      EXECUTE pg_catalog.format('DROP %s %I.%I(%s) CASCADE', CASE r.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, r.nspname, r.proname, r.args);
    END IF;
  END LOOP;
  FOR r IN SELECT n.nspname, t.typname, t.typtype FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
             LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
            WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', ${excluded}) AND NOT ${member('pg_type', 't.oid')}
              AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))${scope} LOOP
    EXECUTE pg_catalog.format('DROP %s IF EXISTS %I.%I CASCADE', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.nspname, r.typname);
  END LOOP;
END
$nself_drop$`
}

export const DROP_PROJECT_OBJECTS_SQL = dropProjectObjectsSql()
