// kill -9 of `nself db migrate:up` at random moments of its work, many more trials than the test
// suite runs (KILL_TRIALS, default 50). After each kill: `db status --json` must match the
// database, and a second migrate:up must finish with every migration applied exactly once.
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import {benchServer as adminServer, dbUrl, nselfEnv, query, ROOT as root, setting} from './lib.mjs'
import {MIGRATIONS, VERSIONS} from '../test/fixtures/kill-migrations.mjs'

const TRIALS = setting('KILL_TRIALS', 50, 3)
const BIN = join(root, 'bin', 'run.js')

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'nself-kill-'))
  mkdirSync(join(dir, 'database', 'migrations'), {recursive: true})
  writeFileSync(join(dir, '.env.local'), '')
  for (const [name, sql] of Object.entries(MIGRATIONS)) writeFileSync(join(dir, 'database', 'migrations', name), sql)
  return dir
}

/** Runs migrate:up; once its session is at work, kills it after killAfterMs (if given). Returns ms at work. */
async function watchedRun(dir, url, killAfterMs) {
  const child = spawn(process.execPath, [BIN, 'db', 'migrate:up'], {
    cwd: dir,
    env: nselfEnv({DATABASE_URL: url}),
    stdio: 'ignore',
  })
  let gone = false
  const exited = new Promise((r) => child.on('exit', () => ((gone = true), r())))
  const watcher = new pg.Client({connectionString: url})
  await watcher.connect()
  while (!gone) {
    const {rows} = await watcher.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'nself db:migrate:up'",
    )
    if (rows.length) break
    await new Promise((r) => setTimeout(r, 5))
  }
  await watcher.end()
  const working = Date.now()
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs)
  await exited
  clearTimeout(timer)
  const elapsed = Date.now() - working
  // The killed client's server session finishes the message it was sent: wait until it has ended.
  while (
    (
      await query(
        url,
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'nself db:migrate:up'",
      )
    ).rows.length
  ) {
    await new Promise((r) => setTimeout(r, 10))
  }
  return elapsed
}

async function counts(url) {
  if (!(await query(url, "SELECT to_regclass('applied_log') AS t")).rows[0].t) return {}
  const {rows} = await query(url, 'SELECT version, count(*)::int AS n FROM applied_log GROUP BY version')
  return Object.fromEntries(rows.map((r) => [r.version, r.n]))
}

function cli(dir, url, args) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: nselfEnv({DATABASE_URL: url, DB_MIGRATION_LOCK_TIMEOUT: '60'}),
    encoding: 'utf8',
  })
}

/** What status got wrong (nothing when it told the truth), and whether the kill left a state in between. */
async function checkStatus(dir, url) {
  const r = cli(dir, url, ['db', 'status', '--json'])
  if (r.status !== 0) return {problems: [`status exit ${r.status}: ${r.stderr}`], between: false}
  const {migrations} = JSON.parse(r.stdout)
  const applied = new Set(migrations.applied.map((a) => a.version))
  const partial = new Set(migrations.partial.map((p) => p.version))
  const c = await counts(url)
  const problems = VERSIONS.filter((v) => (c[v] ?? 0) !== (applied.has(v) || partial.has(v) ? 1 : 0)).map(
    (v) => `status wrong about ${v}`,
  )
  return {problems, between: partial.size > 0 || (applied.size > 0 && applied.size < VERSIONS.length)}
}

async function main() {
  const server = await adminServer()
  const tally = {trials: 0, between: 0, failures: []}
  try {
    const make = async (i) => {
      const name = `bench_kill_${process.pid}_${i}`
      await query(server.url, `CREATE DATABASE ${name}`)
      return {name, url: dbUrl(server.url, name).toString()}
    }
    const probe = await make('probe')
    const work = await watchedRun(project(), probe.url)
    await query(server.url, `DROP DATABASE ${probe.name} WITH (FORCE)`)
    for (let i = 0; i < TRIALS; i++) {
      const db = await make(i)
      const dir = project()
      await watchedRun(dir, db.url, Math.round(work * 1.1 * Math.random()))
      const {problems, between} = await checkStatus(dir, db.url)
      const second = cli(dir, db.url, ['db', 'migrate:up'])
      const c = await counts(db.url)
      if (second.status !== 0) problems.push(`second migrate:up exit ${second.status}: ${second.stderr.trim()}`)
      if (VERSIONS.some((v) => c[v] !== 1)) problems.push(`not applied exactly once: ${JSON.stringify(c)}`)
      const invalid = (await query(db.url, 'SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid')).rows[0].n
      if (invalid) problems.push(`${invalid} invalid index(es) left`)
      tally.trials++
      if (between) tally.between++
      if (problems.length) tally.failures.push({trial: i, problems})
      await query(server.url, `DROP DATABASE ${db.name} WITH (FORCE)`)
      rmSync(dir, {recursive: true, force: true})
    }
  } finally {
    await server.stop()
  }
  console.log(
    `migrate-kill: ${tally.trials} kill -9 trials, ${tally.between} killed mid-run (between nothing and everything applied), ${tally.failures.length} failed`,
  )
  for (const f of tally.failures) console.log(`  trial ${f.trial}: ${f.problems.join('; ')}`)
  if (tally.failures.length) process.exitCode = 1
}

await main()
