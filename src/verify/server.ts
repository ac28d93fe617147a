/**
 * Where verification runs: never on the project's database. A scratch database is created for each
 * check and dropped after it, on
 * - the server named by NSELF_VERIFY_DATABASE_URL (the database in that URL is only connected to,
 *   never written: the scratch database is created beside it; the role needs CREATEDB), or
 * - the project's embedded server (started on demand, as every `nself db` command does).
 */
import type {Client} from 'pg'
import {ConnectionError} from '@nself/sdk/errors'
import {ensureEmbeddedServer} from '../db/embedded.js'

export const VERIFY_URL_VARIABLE = 'NSELF_VERIFY_DATABASE_URL'

export interface VerifyServer {
  /** How messages name it: "NSELF_VERIFY_DATABASE_URL" or "the embedded server". */
  label: string
  /** Opens a connection to `database` (the URL's own database when undefined). */
  connect(database?: string): Promise<Client>
}

type PgConfig = {
  connectionString?: string
  host?: string
  port?: number
  user?: string
  password?: string
  database?: string
}

async function pgClient(config: PgConfig): Promise<Client> {
  const {default: pg} = await import('pg')
  const client = new pg.Client({...config, application_name: 'nself verify', connectionTimeoutMillis: 5000})
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw error
  }
  client.on('error', () => {})
  // A throwaway database needs no durability: commits do not wait for the disk.
  await client.query('SET synchronous_commit = off')
  return client
}

/** The server from NSELF_VERIFY_DATABASE_URL, else the embedded one of the project in `stateDir`. */
export async function verifyServer(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
  onNotice?: (m: string) => void,
): Promise<VerifyServer> {
  const url = env[VERIFY_URL_VARIABLE]
  if (url) {
    return {
      label: VERIFY_URL_VARIABLE,
      connect: (database) => {
        const target = new URL(url)
        if (database) target.pathname = `/${encodeURIComponent(database)}`
        return pgClient({connectionString: target.toString()})
      },
    }
  }
  let server
  try {
    server = await ensureEmbeddedServer(stateDir, onNotice)
  } catch (error) {
    throw new ConnectionError(
      `cannot start the embedded PostgreSQL server to verify the migration: ${(error as Error).message}`,
      {
        code: 'NSELF_VERIFY_NO_SERVER',
        hint: `Set ${VERIFY_URL_VARIABLE} to a server where nself may create a scratch database, or pass --no-verify (the files are then marked "not verified").`,
      },
    )
  }
  const {host, port, user, password} = server
  return {
    label: 'the embedded server',
    connect: (database) => pgClient({host, port, user, password, database: database ?? 'postgres'}),
  }
}

/** The scratch database nself keeps on the verification server, emptied before each use. */
export const SCRATCH_DATABASE = 'nself_verify_scratch'

/**
 * Runs `fn` on an empty throwaway database. Creating a database costs more than a whole
 * verification (a copy of template0 and its fsyncs), so one scratch database is kept and emptied
 * instead; a session lock gives it to one command at a time, and a command that finds it taken
 * creates a database of its own and drops it afterwards.
 */
export async function withScratchDatabase<T>(server: VerifyServer, fn: (scratch: Client) => Promise<T>): Promise<T> {
  const admin = await connectOrExplain(server)
  try {
    await admin.query(`CREATE DATABASE ${SCRATCH_DATABASE} TEMPLATE template0`).catch((error) => {
      // 42P04: it exists; 23505: another command created it at the same moment.
      if (!['42P04', '23505'].includes((error as {code?: string}).code ?? '')) throw error
    })
    const scratch = await server.connect(SCRATCH_DATABASE)
    try {
      const {rows} = await scratch.query<{mine: boolean}>(
        `SELECT pg_try_advisory_lock(hashtext('nself verify scratch')) AS mine`,
      )
      if (rows[0].mine) {
        // Emptied before use (not after: a crashed run's leftovers go too, and success pays less).
        await emptyDatabase(scratch)
        return await fn(scratch)
      }
    } finally {
      await scratch.end().catch(() => {})
    }
    return await withOwnDatabase(server, admin, fn)
  } finally {
    await admin.end().catch(() => {})
  }
}

async function withOwnDatabase<T>(
  server: VerifyServer,
  admin: Client,
  fn: (scratch: Client) => Promise<T>,
): Promise<T> {
  const name = `nself_verify_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`)
  try {
    const scratch = await server.connect(name)
    try {
      return await fn(scratch)
    } finally {
      await scratch.end().catch(() => {})
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {})
  }
}

/** Drops every schema (and so every object) of a scratch database and recreates an empty public. */
export async function emptyDatabase(db: Client): Promise<void> {
  await db.query(`DO $$ DECLARE s text; BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' LOOP
      EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
    CREATE SCHEMA public;
  END $$`)
}

async function connectOrExplain(server: VerifyServer): Promise<Client> {
  try {
    return await server.connect()
  } catch (error) {
    throw new ConnectionError(`cannot reach the verification server (${server.label}): ${(error as Error).message}`, {
      code: 'NSELF_VERIFY_NO_SERVER',
      hint: `Check ${VERIFY_URL_VARIABLE}, or pass --no-verify (the files are then marked "not verified").`,
    })
  }
}

/** "PostgreSQL 15.8" */
export async function serverVersion(client: Client): Promise<string> {
  const {rows} = await client.query<{v: string}>(`SELECT current_setting('server_version') AS v`)
  return `PostgreSQL ${String(rows[0].v).split(' ')[0]}`
}
