/** Temporary projects with migration files, and a catalog fingerprint to prove "nothing changed". */
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type pg from 'pg'

export interface TestProject {
  root: string
  migrationsDir: string
  write(files: Record<string, string>): void
}

export function makeProject(files: Record<string, string> = {}): TestProject {
  const root = mkdtempSync(join(tmpdir(), 'nself-mig-'))
  const migrationsDir = join(root, 'database', 'migrations')
  mkdirSync(migrationsDir, {recursive: true})
  writeFileSync(join(root, '.env.local'), '')
  const project = {
    root,
    migrationsDir,
    write(more: Record<string, string>) {
      for (const [name, sql] of Object.entries(more)) writeFileSync(join(migrationsDir, name), sql)
    },
  }
  project.write(files)
  return project
}

/**
 * Everything a migration could change, as sorted text: relations, columns, constraints, indexes
 * (with validity), types, enum labels, functions, and the history table's rows.
 */
export async function catalogFingerprint(client: pg.Client, historyTable = 'schema_migrations'): Promise<string[]> {
  const {rows} = await client.query<{line: string}>(`
    WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%')
    SELECT 'rel ' || c.oid::regclass || ' ' || c.relkind::text AS line FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)
    UNION ALL SELECT 'col ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace IN (SELECT oid FROM ns) AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
    UNION ALL SELECT 'idx ' || indexrelid::regclass || ' valid=' || indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
    UNION ALL SELECT 'type ' || t.oid::regtype FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typtype IN ('e', 'd', 'c')
    UNION ALL SELECT 'enum ' || enumtypid::regtype || ' ' || enumlabel FROM pg_enum
    UNION ALL SELECT 'fn ' || p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
  `)
  const lines = rows.map((r) => r.line)
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [historyTable])
  if (exists.rows[0].t) {
    const history = await client.query(
      `SELECT version, checksum, statements_done FROM ${historyTable} ORDER BY version`,
    )
    for (const h of history.rows) lines.push(`history ${h.version} ${h.checksum} ${h.statements_done}`)
  }
  return lines.sort()
}
