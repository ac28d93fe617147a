// Helpers shared by the benchmark scripts (files starting with _ are not run by bench/run.mjs).
import {chmodSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'

export const root = new URL('..', import.meta.url).pathname

/** An admin URL: NSELF_TEST_DATABASE_URL when set, else a fresh embedded server (stopped by stop()). */
export async function adminServer() {
  if (process.env.NSELF_TEST_DATABASE_URL) return {url: process.env.NSELF_TEST_DATABASE_URL, stop: async () => {}}
  const {ensureEmbeddedServer, stopEmbeddedServer} = await import(join(root, 'dist', 'db', 'embedded.js'))
  const dir = mkdtempSync(join(tmpdir(), 'nself-bench-pg-'))
  chmodSync(dir, 0o755) // as root the server runs as the postgres user
  const s = await ensureEmbeddedServer(dir)
  return {
    url: `postgres://${s.user}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/postgres`,
    stop: async () => {
      await stopEmbeddedServer(dir)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

export async function query(url, sql, params) {
  const c = new pg.Client({connectionString: url.toString()})
  await c.connect()
  try {
    return await c.query(sql, params)
  } finally {
    await c.end()
  }
}

export function dbUrl(base, name) {
  const u = new URL(base)
  u.pathname = `/${name}`
  return u
}

/** The environment for a child nself: no inherited database settings. */
export function nselfEnv(extra = {}) {
  const env = {...process.env, NODE_ENV: 'production'}
  for (const key of Object.keys(env)) if (/^(POSTGRES_|DATABASE_URL|DB_|ENVIRONMENT$|NSELF_)/.test(key)) delete env[key]
  return {...env, ...extra}
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
