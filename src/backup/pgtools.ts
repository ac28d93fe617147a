/**
 * PostgreSQL's own pg_dump and pg_restore, used for the schema when a version-compatible pair is on
 * the machine: pg_dump's schema carries everything (views, functions, triggers, policies …). The
 * embedded server's npm package ships neither, so on a fresh machine nself uses its built-in path.
 * NSELF_PG_BIN_DIR=<dir> looks only in that folder; NSELF_NO_PG_DUMP=1 never uses them (tests run
 * both paths on one machine this way).
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'
import {promisify} from 'node:util'
import type {ResolvedConnection} from '../db/connect.js'

export interface PgTools {
  pgDump: string
  pgRestore: string
  /** Major version of both (they must agree). */
  major: number
  /** pg_dump's --version line, for the manifest. */
  version: string
}

const run = promisify(execFile)

/** The tools, when both are found, agree on a major version and that version can dump the server. */
export async function findPgTools(
  serverVersionNum: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PgTools | undefined> {
  if (['1', 'true'].includes(env.NSELF_NO_PG_DUMP ?? '')) return undefined
  const dirs = env.NSELF_PG_BIN_DIR ? [env.NSELF_PG_BIN_DIR] : (env.PATH ?? '').split(delimiter).filter(Boolean)
  const find = (name: string) => dirs.map((d) => join(d, name)).find((p) => existsSync(p))
  const [pgDump, pgRestore] = ['pg_dump', 'pg_restore'].map(find)
  if (!pgDump || !pgRestore) return undefined
  const versions = await Promise.all([pgDump, pgRestore].map(versionOf))
  const majors = versions.map((v) => Number(/\s(\d+)(?:\.\d+)?/.exec(v)?.[1]))
  // pg_dump refuses a server newer than itself; an older server is fine.
  if (majors.some((m) => m !== majors[0]) || !(majors[0] >= Math.floor(serverVersionNum / 10_000))) return undefined
  return {pgDump, pgRestore, major: majors[0], version: versions[0]}
}

async function versionOf(path: string): Promise<string> {
  try {
    return (await run(path, ['--version'])).stdout.trim()
  } catch {
    return ''
  }
}

/**
 * Environment for a child tool: the connection goes in PG* variables, so the password is never on
 * a command line (visible in ps) or in output. Inherited PG* variables are removed first.
 */
export function toolEnv(target: ResolvedConnection, database: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value
  Object.assign(env, {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGDATABASE: database,
    PGAPPNAME: 'nself backup',
  })
  if (target.password) env.PGPASSWORD = target.password
  const sslmode = target.url ? new URL(target.url).searchParams.get('sslmode') : null
  if (sslmode) env.PGSSLMODE = sslmode
  return env
}
