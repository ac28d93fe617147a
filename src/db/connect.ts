/**
 * Connections. `pg` is imported lazily: commands that never connect must not pay for it.
 * Connection failures become one clear ConnectionError line (exit 4) naming host, port, database
 * and what to check, never a password.
 */
import type {Client, ClientConfig} from 'pg'
import {ConnectionError} from '@nself/sdk/errors'
import {quoteIdent} from '@nself/sdk/sql'
import {requireProject, type ConnectionSettings, type NselfConfig} from '../config/index.js'
import {ensureEmbeddedServer} from './embedded.js'

export const CONNECT_TIMEOUT_MS = 5000

export interface ResolvedConnection extends ConnectionSettings {
  password?: string
}

export interface OpenOptions {
  /** Connect to another database of the same server (e.g. "postgres" to create one). */
  database?: string
  applicationName?: string
  /** Told when the embedded server is initialised or started. */
  onNotice?: (message: string) => void
}

/** Host, port, user and password to use, starting the embedded server when it is the target. */
export async function resolveConnection(
  config: NselfConfig,
  onNotice?: (m: string) => void,
): Promise<ResolvedConnection> {
  const settings = config.connection
  if (!settings.embedded) return settings
  requireProject(config)
  const server = await ensureEmbeddedServer(config.project.stateDir, onNotice)
  return {...settings, host: server.host, port: server.port, user: server.user, password: server.password}
}

export async function openClient(config: NselfConfig, options: OpenOptions = {}): Promise<Client> {
  const target = await resolveConnection(config, options.onNotice)
  const database = options.database ?? target.database
  try {
    return await connect(target, database, options.applicationName)
  } catch (error) {
    // The embedded server is ours: create the project's database on first use.
    if (target.embedded && (error as {code?: string}).code === '3D000') {
      await createDatabase(target, database)
      return connect(target, database, options.applicationName)
    }
    throw connectionError(error, target, database)
  }
}

async function connect(target: ResolvedConnection, database: string, applicationName = 'nself'): Promise<Client> {
  const pg = await importPg()
  const base: ClientConfig = target.url && database === target.database ? {connectionString: target.url} : {}
  const client = new pg.Client({
    ...base,
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database,
    application_name: applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  })
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw error
  }
  // A dead connection must not crash the process with an unhandled 'error' event.
  client.on('error', () => {})
  return client
}

/**
 * pg decides at load time whether it runs in a Cloudflare Worker: without a global `navigator`
 * (Node 20 has none; Node 21+ does) it probes `Response`, which loads Node's bundled undici, about
 * 40 ms of every command's start-up. A navigator like Node 21's, only while pg loads, skips that.
 */
async function importPg(): Promise<typeof import('pg').default> {
  const global = globalThis as {navigator?: unknown}
  const lent = global.navigator === undefined
  if (lent) global.navigator = {userAgent: `Node.js/${process.versions.node}`}
  try {
    return (await import('pg')).default
  } finally {
    if (lent) delete global.navigator
  }
}

async function createDatabase(target: ResolvedConnection, database: string): Promise<void> {
  const admin = await connect(target, 'postgres')
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(database)}`)
  } catch (error) {
    // Already there, or created at this very moment by a concurrent command (23505).
    if (!['42P04', '23505'].includes((error as {code?: string}).code ?? '')) throw error
  } finally {
    await admin.end()
  }
}

/** Map node-postgres/network failures to one line the user can act on. */
export function connectionError(error: unknown, target: ConnectionSettings, database: string): ConnectionError {
  const where = `${target.host}:${target.port}`
  const code = (error as {code?: string}).code
  const message = (error as Error).message ?? String(error)
  const source = target.embedded ? 'the embedded server' : 'POSTGRES_HOST/POSTGRES_PORT (or DATABASE_URL) in .env.local'
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError(`cannot connect to PostgreSQL at ${where}: connection refused`, {
        cause: error,
        hint: `Is the server running? Check ${source}.`,
      })
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(`cannot connect to PostgreSQL: unknown host ${target.host}`, {
        cause: error,
        hint: `Check ${source}.`,
      })
    case '28P01':
    case '28000':
      return new ConnectionError(`password authentication failed for user "${target.user}" at ${where}`, {
        cause: error,
        hint: 'Check POSTGRES_USER and POSTGRES_PASSWORD (or DATABASE_URL) in .env.local.',
      })
    case '3D000':
      return new ConnectionError(`database "${database}" does not exist at ${where}`, {
        cause: error,
        hint: `Create it (createdb ${database}) or fix POSTGRES_DB (or DATABASE_URL).`,
      })
    default:
      if (/timeout/i.test(message)) {
        return new ConnectionError(
          `timed out after ${CONNECT_TIMEOUT_MS / 1000} s connecting to PostgreSQL at ${where}`,
          {cause: error, hint: `Check ${source} and the network.`},
        )
      }
      return new ConnectionError(`cannot connect to PostgreSQL at ${where}: ${message}`, {cause: error})
  }
}
