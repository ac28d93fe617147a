/**
 * Databases for the migration tests, as {url, client, drop}.
 * - createTestDatabase(): on the project's harness server (test/helpers/db.ts: embedded PostgreSQL,
 *   or NSELF_TEST_DATABASE_URL);
 * - createDebianTestDatabase(): on a throwaway cluster of Debian's PostgreSQL 15 binaries, started
 *   on first use and stopped when the test process exits, to check the same SQL on that server too.
 *   initdb refuses to run as root, so the server runs as the `postgres` OS user when we are root.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import {freshDatabase} from './db.js'

const BIN = process.env.NSELF_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin'

interface Server {
  port: number
  dataDir: string
}

let server: Promise<Server> | undefined
let counter = 0

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port
      s.close(() => resolve(port))
    })
  })
}

function postgresUser(): {uid: number; gid: number} | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], {encoding: 'utf8'}).stdout.trim())
  return {uid: id('-u'), gid: id('-g')}
}

function run(command: string, args: string[], user: {uid: number; gid: number} | undefined): void {
  const result = spawnSync(join(BIN, command), args, {encoding: 'utf8', ...(user ?? {}), cwd: tmpdir()})
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`)
}

async function start(): Promise<Server> {
  const user = postgresUser()
  const dataDir = mkdtempSync(join(tmpdir(), 'nself-test-pg-'))
  chmodSync(dataDir, 0o755)
  if (user) chownSync(dataDir, user.uid, user.gid)
  run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], user)
  const port = await freePort()
  // Durability off: these databases live for one test run.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
  run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dataDir, 'server.log'), '-w', 'start'], user)
  process.once('exit', () => {
    spawnSync(join(BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], {...(user ?? {}), cwd: tmpdir()})
    if (existsSync(dataDir)) rmSync(dataDir, {recursive: true, force: true})
  })
  return {port, dataDir}
}

export interface TestDatabase {
  url: string
  client: pg.Client
  drop: () => Promise<void>
}

/** A new, empty database on the harness server, with a connected client. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const db = await freshDatabase('nself_diff')
  const client = await db.connect()
  return {
    url: db.url,
    client,
    drop: async () => {
      await client.end().catch(() => undefined)
      await db.drop()
    },
  }
}

export const debianAvailable = (): boolean => existsSync(join(BIN, 'initdb'))

/** A new, empty database on the Debian PostgreSQL 15 cluster, with a connected client. */
export async function createDebianTestDatabase(): Promise<TestDatabase> {
  server ??= start()
  const {port} = await server
  const name = `nself_test_${process.pid}_${++counter}`
  const admin = new pg.Client({host: '127.0.0.1', port, user: 'postgres', database: 'postgres'})
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`)
  } finally {
    await admin.end()
  }
  const url = `postgres://postgres@127.0.0.1:${port}/${name}`
  const client = new pg.Client({connectionString: url})
  await client.connect()
  const drop = async (): Promise<void> => {
    await client.end().catch(() => undefined)
    const a = new pg.Client({host: '127.0.0.1', port, user: 'postgres', database: 'postgres'})
    await a.connect()
    try {
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    } finally {
      await a.end()
    }
  }
  return {url, client, drop}
}
