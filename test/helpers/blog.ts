/**
 * The blog schema (test/fixtures/blog.dbml) in plain SQL, the spec's seeds (users.json, posts.sql),
 * and an events table of generated rows that covers the awkward values: jsonb, arrays with NULLs
 * and quotes, text with tabs, newlines and backslashes, bytea, timestamptz with microseconds,
 * floats, numerics, and an identity column whose sequence is advanced past the rows.
 * Plus what a test compares: a content checksum per table and every sequence's state.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type pg from 'pg'
import {ROOT} from './cli.js'

export const BLOG_SQL = `
CREATE TYPE user_role AS ENUM ('user', 'author', 'editor', 'admin');
COMMENT ON TYPE user_role IS 'what a user may do';
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email varchar(255) UNIQUE NOT NULL,
  username varchar(50) UNIQUE NOT NULL,
  password_hash varchar(255) NOT NULL,
  first_name varchar(100), last_name varchar(100), bio text, avatar_url varchar(500),
  is_active boolean DEFAULT true, is_verified boolean DEFAULT false,
  role user_role DEFAULT 'user',
  created_at timestamp DEFAULT now(), updated_at timestamp DEFAULT now()
);
COMMENT ON TABLE users IS 'people who write and comment';
COMMENT ON COLUMN users.email IS 'login, unique';
CREATE INDEX ON users (is_active);
CREATE INDEX ON users (created_at);
CREATE TABLE categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name varchar(100) UNIQUE NOT NULL, slug varchar(100) UNIQUE NOT NULL, description text,
  color varchar(7) CHECK (color ~ '^#[0-9a-f]{6}$'), created_at timestamp DEFAULT now()
);
CREATE INDEX ON categories (name);
CREATE TABLE posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title varchar(255) NOT NULL, slug varchar(255) UNIQUE, content text, excerpt text,
  author_id uuid NOT NULL REFERENCES users(id),
  category_id uuid REFERENCES categories(id) ON DELETE SET NULL,
  featured_image_url varchar(500), is_published boolean DEFAULT false, is_featured boolean DEFAULT false,
  published_at timestamp, created_at timestamp DEFAULT now(), updated_at timestamp DEFAULT now()
);
CREATE INDEX ON posts (author_id);
CREATE INDEX ON posts (is_published, published_at);
CREATE TABLE tags (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name varchar(50) UNIQUE NOT NULL, slug varchar(50) UNIQUE NOT NULL, created_at timestamp DEFAULT now());
CREATE TABLE post_tags (post_id uuid REFERENCES posts(id) ON DELETE CASCADE, tag_id uuid REFERENCES tags(id), PRIMARY KEY (post_id, tag_id));
CREATE INDEX ON post_tags (tag_id);
CREATE TABLE comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  content text NOT NULL, author_id uuid NOT NULL REFERENCES users(id), post_id uuid NOT NULL REFERENCES posts(id),
  parent_id uuid REFERENCES comments(id), is_approved boolean DEFAULT false,
  created_at timestamp DEFAULT now(), updated_at timestamp DEFAULT now()
);
CREATE INDEX ON comments (post_id, created_at);
CREATE SEQUENCE invoice_no START 1000 INCREMENT 5;
CREATE UNLOGGED TABLE page_cache (key text PRIMARY KEY, body jsonb);
INSERT INTO page_cache VALUES ('/', '{"cached": true}'), ('/about', NULL);
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial_no serial,
  user_id uuid REFERENCES users(id),
  kind text NOT NULL,
  payload jsonb, tags text[], note text, blob bytea,
  happened_at timestamptz, score double precision, amount numeric(12, 2),
  kind_length int GENERATED ALWAYS AS (length(kind)) STORED
);
`

/** The spec's users.json and posts.sql (username, required by the schema, from the e-mail). */
export function seedSql(): string {
  const users = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/users.json'), 'utf8')) as Record<string, unknown>[]
  const q = (v: unknown) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v))
  const values = users.map(
    (u) =>
      `(${q(u.email)}, ${q(String(u.email).split('@')[0])}, ${q(u.password_hash)}, ${q(u.first_name)}, ${q(u.last_name)}, ${q(u.is_active)})`,
  )
  return (
    `INSERT INTO users (email, username, password_hash, first_name, last_name, is_active) VALUES ${values.join(', ')};\n` +
    readFileSync(join(ROOT, 'test/fixtures/posts.sql'), 'utf8')
  )
}

export function generatedRowsSql(count: number): string {
  return `
INSERT INTO categories (name, slug, color) VALUES ('News', 'news', '#00ff00'), ('Tab\tand ''quote''', 'odd', NULL);
INSERT INTO tags (name, slug) SELECT 'tag ' || g, 'tag-' || g FROM generate_series(1, 20) g;
INSERT INTO post_tags SELECT p.id, t.id FROM posts p CROSS JOIN tags t;
INSERT INTO comments (content, author_id, post_id) SELECT 'first' || E'\\n' || 'comment', u.id, p.id FROM users u CROSS JOIN posts p;
INSERT INTO comments (content, author_id, post_id, parent_id) SELECT 'reply', author_id, post_id, id FROM comments;
INSERT INTO events (user_id, kind, payload, tags, note, blob, happened_at, score, amount)
SELECT CASE WHEN g % 3 = 0 THEN (SELECT id FROM users ORDER BY email LIMIT 1) END,
       (ARRAY['click', 'view', 'buy'])[1 + g % 3],
       CASE WHEN g % 5 = 0 THEN NULL ELSE jsonb_build_object('n', g, 's', E'tab\\there', 'nested', jsonb_build_array(g, g * 0.5, NULL, 'é ✓')) END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE ARRAY['a' || g, 'with "quote"', 'comma,x', NULL] END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE 'line1' || E'\\n' || 'tab' || E'\\t' || E'back\\\\slash ' || g END,
       CASE WHEN g % 6 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '67.123456 seconds',
       CASE WHEN g % 9 = 0 THEN NULL ELSE g / 7.0::float8 END,
       g * 1.25
  FROM generate_series(1, ${count}) g;
SELECT setval(pg_get_serial_sequence('events', 'id'), ${count + 50_000});
SELECT nextval('invoice_no'), nextval('invoice_no');
`
}

export async function createBlog(client: pg.Client, rows: number): Promise<void> {
  await client.query(BLOG_SQL + seedSql() + generatedRowsSql(rows))
}

export interface DatabaseState {
  /** table → md5 of its rows in a fixed order, plus the row count. */
  tables: Record<string, string>
  sequences: Record<string, string>
  /** Columns, constraints and indexes as the catalogs print them. */
  schema: string
}

export async function databaseState(client: pg.Client): Promise<DatabaseState> {
  const {rows: tables} = await client.query<{name: string}>(
    `SELECT quote_ident(relname) AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`,
  )
  const state: DatabaseState = {tables: {}, sequences: {}, schema: ''}
  for (const {name} of tables) {
    const {rows} = await client.query(
      `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS sum FROM ${name} t`,
    )
    state.tables[name] = rows[0].sum
  }
  const {rows: sequences} = await client.query<{name: string}>(
    `SELECT relname AS name FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace ORDER BY 1`,
  )
  for (const {name} of sequences) {
    const {rows} = await client.query(`SELECT last_value || '/' || is_called AS v FROM "${name}"`)
    state.sequences[name] = rows[0].v
  }
  const {rows: schema} = await client.query(`
    SELECT string_agg(line, E'\\n' ORDER BY line) AS s FROM (
      SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || a.attidentity::text || a.attgenerated::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || coalesce(col_description(c.oid, a.attnum), '') AS line
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
      UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
      UNION ALL SELECT 'seq ' || seqrelid::regclass || ' ' || seqstart || ' ' || seqincrement || ' ' || seqmax FROM pg_sequence
      UNION ALL SELECT 'enum ' || enumtypid::regtype || ' ' || enumlabel FROM pg_enum
      UNION ALL SELECT 'comment ' || coalesce(obj_description(oid, 'pg_class'), '') || relname || ' ' || relpersistence::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
    ) lines`)
  state.schema = schema[0].s
  return state
}

/** Changes every kind of thing a restore must undo. */
export const MESS_UP_SQL = `
UPDATE events SET kind = 'changed', payload = NULL WHERE id % 10 = 0;
DELETE FROM events WHERE id > 500;
SELECT nextval('invoice_no');
INSERT INTO events (kind) VALUES ('new');
DELETE FROM comments;
DROP TABLE post_tags;
ALTER TABLE users ADD COLUMN extra int;
CREATE TABLE added_later (id int);
ALTER TYPE user_role ADD VALUE 'guest';
`
