/** Projects with seed files, the spec's blog schema, and table snapshots for the seed tests. */
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import type {TestDatabase} from '../helpers/db.js'

/** The spec's blog tables (nself-db-v0.2.0.txt, "Your First Schema"), as plain SQL. */
export const BLOG_SQL = `
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email varchar(255) UNIQUE NOT NULL,
  password_hash varchar(255) NOT NULL,
  first_name varchar(100),
  last_name varchar(100),
  is_active boolean DEFAULT true,
  created_at timestamp DEFAULT now(),
  updated_at timestamp DEFAULT now());
CREATE TABLE posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title varchar(255) NOT NULL,
  content text,
  author_id uuid REFERENCES users(id),
  is_published boolean DEFAULT false,
  published_at timestamp,
  created_at timestamp DEFAULT now(),
  updated_at timestamp DEFAULT now());
CREATE TABLE comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  content text NOT NULL,
  author_id uuid REFERENCES users(id),
  post_id uuid REFERENCES posts(id),
  created_at timestamp DEFAULT now());`

/** A project folder; `files` maps paths under database/seeds/ to their content. */
export function makeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nself-seed-'))
  mkdirSync(join(root, '.nself'))
  writeSeeds(root, files)
  return root
}

export function writeSeeds(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, 'database', 'seeds', path)
    mkdirSync(dirname(full), {recursive: true})
    writeFileSync(full, content)
  }
}

/** Row count and a hash of every row of each table (null when the table does not exist). */
export async function snapshot(db: TestDatabase, tables: string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {}
  for (const table of tables) {
    const exists = await db.query('SELECT to_regclass($1) IS NOT NULL AS ok', [table])
    if (!exists.rows[0].ok) {
      out[table] = null
      continue
    }
    const {rows} = await db.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`,
    )
    out[table] = `${rows[0].n}:${rows[0].h}`
  }
  return out
}

export async function counts(db: TestDatabase, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of tables) out[table] = (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n
  return out
}
