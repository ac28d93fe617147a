/**
 * The database harness for tests. One PostgreSQL server for the whole run:
 * - NSELF_TEST_DATABASE_URL (an admin connection URL to any server) when set, as CI does for
 *   Debian's PostgreSQL 15;
 * - otherwise nself's own embedded server, started in a temporary folder and stopped at the end.
 * Each test that needs a database asks for a fresh one with freshDatabase().
 * Tests that touch a database put "@db" in their describe title (npm run test:db runs only those).
 */
import {chmodSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import {ensureEmbeddedServer, stopEmbeddedServer} from '../../src/db/embedded.js'

export interface TestDatabase {
  name: string
  /** Full connection URL of this database (with its password: never print it in assertions). */
  url: string
  /** Environment for spawned `nself` processes that should use this database. */
  env: Record<string, string>
  connect(): Promise<pg.Client>
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<T>>
  drop(): Promise<void>
}

let adminUrl: Promise<string> | undefined
let embeddedStateDir: string | undefined
const created = new Set<TestDatabase>()
let counter = 0

export function serverUrl(): Promise<string> {
  adminUrl ??= startServer()
  return adminUrl
}

async function startServer(): Promise<string> {
  if (process.env.NSELF_TEST_DATABASE_URL) return process.env.NSELF_TEST_DATABASE_URL
  embeddedStateDir = mkdtempSync(join(tmpdir(), 'nself-test-pg-'))
  chmodSync(embeddedStateDir, 0o755) // the server runs as the postgres user when we are root
  const server = await ensureEmbeddedServer(embeddedStateDir)
  return `postgres://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/postgres`
}

export async function freshDatabase(prefix = 'nself_test'): Promise<TestDatabase> {
  const base = new URL(await serverUrl())
  const name = `${prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`
  await adminQuery(base, `CREATE DATABASE "${name}"`)
  const url = new URL(base)
  url.pathname = `/${name}`
  const db: TestDatabase = {
    name,
    url: url.toString(),
    env: {DATABASE_URL: url.toString()},
    async connect() {
      const client = new pg.Client({connectionString: url.toString()})
      await client.connect()
      return client
    },
    async query(sql, params) {
      const client = await db.connect()
      try {
        return await client.query(sql, params)
      } finally {
        await client.end()
      }
    },
    async drop() {
      created.delete(db)
      await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    },
  }
  created.add(db)
  return db
}

async function adminQuery(url: URL, sql: string): Promise<void> {
  const client = new pg.Client({connectionString: url.toString()})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** Called once after the whole run (test/setup.ts). */
export async function stopTestServer(): Promise<void> {
  for (const db of [...created]) await db.drop().catch(() => {})
  if (embeddedStateDir) {
    await stopEmbeddedServer(embeddedStateDir)
    rmSync(embeddedStateDir, {recursive: true, force: true})
  }
}
