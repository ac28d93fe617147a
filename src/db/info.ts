/** What `db ping`, `db info` and `db reconnect` report, computed over a connected client. */
import type {Client} from 'pg'
import type {NselfConfig} from '../config/index.js'

export interface PingResult {
  ok: true
  roundTripMs: number
  serverVersion: string
}

export async function ping(client: Client): Promise<PingResult> {
  const started = process.hrtime.bigint()
  await client.query('SELECT 1')
  const roundTripMs = Number(process.hrtime.bigint() - started) / 1e6
  const {rows} = await client.query<{v: string}>("SELECT current_setting('server_version') AS v")
  return {ok: true, roundTripMs: Math.round(roundTripMs * 100) / 100, serverVersion: rows[0].v}
}

export interface DatabaseInfo {
  host: string
  port: number
  database: string
  user: string
  password: string
  serverVersion: string
  sizeBytes: number
  size: string
  mode: 'embedded' | 'external'
  environment: string
}

export async function databaseInfo(client: Client, config: NselfConfig, port: number): Promise<DatabaseInfo> {
  const {rows} = await client.query<{v: string; bytes: string; pretty: string; db: string; usr: string}>(
    `SELECT current_setting('server_version') AS v, pg_database_size(current_database()) AS bytes,
            pg_size_pretty(pg_database_size(current_database())) AS pretty, current_database() AS db, current_user AS usr`,
  )
  const row = rows[0]
  return {
    host: config.connection.host,
    port,
    database: row.db,
    user: row.usr,
    // Never the password itself, whatever the output mode.
    password: config.connection.embedded || config.connection.password ? '********' : '(none)',
    serverVersion: row.v,
    sizeBytes: Number(row.bytes),
    size: row.pretty,
    mode: config.connection.embedded ? 'embedded' : 'external',
    environment: config.environment,
  }
}

/**
 * nself keeps no pool between commands, so "reconnect" means: end the server sessions that
 * earlier nself processes left behind on this database (a killed command can leave one idle in
 * a transaction, holding locks), then connect afresh. Returns the pids it ended.
 */
export async function endStaleSessions(client: Client): Promise<number[]> {
  const {rows} = await client.query<{pid: number}>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND application_name LIKE 'nself%' AND state IN ('idle', 'idle in transaction', 'idle in transaction (aborted)')`,
  )
  const pids = rows.map((r) => r.pid)
  for (const pid of pids) await client.query('SELECT pg_terminate_backend($1)', [pid])
  return pids
}
