// Shared helpers for the benchmarks: timing whole processes round-robin (so noise hits every
// contender alike), medians, peak memory, and one printed line per figure with its ratio.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import pg from 'pg'

export const ROOT = new URL('..', import.meta.url).pathname
export const NSELF = `${ROOT}bin/run.js`

/**
 * Smoke mode (BENCH_SMOKE=1, or `npm run bench -- --smoke`): small sizes and one run each, so that
 * CI runs every benchmark end to end in seconds and a benchmark that breaks fails the build. Its
 * figures mean nothing. Anchors that are not installed yet are skipped rather than downloaded.
 */
export const SMOKE = process.env.BENCH_SMOKE === '1'

/** A size or repeat count: the environment variable when set, else the full or the smoke default. */
export function setting(name, full, smoke) {
  const value = process.env[name]
  return value === undefined || value === '' ? (SMOKE ? smoke : full) : Number(value)
}

/**
 * The path of an anchor tool under bench/.anchors, installing it first when missing (`install`).
 * In smoke mode a missing anchor is not installed: returns undefined and says so.
 */
export function anchor(label, path, install) {
  if (existsSync(path)) return path
  if (SMOKE) {
    console.log(`(smoke: ${label} is not installed in bench/.anchors, so its figures are skipped)`)
    return undefined
  }
  install()
  return path
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Wall time (s) and peak RSS (MB) of one process, measured by GNU time when present. */
export function timeOnce(command, args, options = {}) {
  const started = process.hrtime.bigint()
  const useTime = hasGnuTime()
  const result = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {...options, encoding: 'utf8', maxBuffer: 1 << 28})
    : spawnSync(command, args, {...options, encoding: 'utf8', maxBuffer: 1 << 28})
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr || '').slice(-800)}`)
  }
  const rssKb = useTime ? Number((result.stderr || '').trim().split('\n').pop()) : NaN
  return {seconds, rssMb: rssKb / 1024, stdout: result.stdout, stderr: result.stderr}
}

let gnuTime
function hasGnuTime() {
  gnuTime ??= spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0
  return gnuTime
}

/**
 * Runs each contender `runs` times, interleaved, after `warmup` rounds. Returns
 * {name: {median, min, max, rssMb}} in seconds.
 */
export function roundRobin(contenders, {runs = 11, warmup = 2, setup} = {}) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]))
  for (let round = 0; round < warmup + runs; round++) {
    for (const c of contenders) {
      setup?.(c)
      c.setup?.()
      const r = timeOnce(c.command, c.args, c.options)
      if (round >= warmup) samples[c.name].push(r)
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      {
        median: median(list.map((r) => r.seconds)),
        min: Math.min(...list.map((r) => r.seconds)),
        max: Math.max(...list.map((r) => r.seconds)),
        rssMb: median(list.map((r) => r.rssMb)),
      },
    ]),
  )
}

/** One line: figure, and ratio to the anchor measured in the same run. */
export function report(label, value, unit, anchorLabel, anchorValue, {higherIsBetter = false} = {}) {
  const ratio = anchorValue ? value / anchorValue : NaN
  const fmt = (v) => (unit === 's' ? `${(v * 1000).toFixed(1)} ms` : `${v.toFixed(unit === 'MB' ? 0 : 0)} ${unit}`)
  const ratioText = Number.isFinite(ratio)
    ? `${ratio.toFixed(2)}× ${anchorLabel}${higherIsBetter ? '' : ''}`
    : 'no anchor'
  console.log(`${label.padEnd(46)} ${fmt(value).padStart(12)}   ${ratioText}`)
  return ratio
}

/** An admin URL to benchmark against: NSELF_TEST_DATABASE_URL, or the embedded server in a temp dir. */
export async function benchServer() {
  if (process.env.NSELF_TEST_DATABASE_URL) return {url: process.env.NSELF_TEST_DATABASE_URL, stop: async () => {}}
  const {mkdtempSync, chmodSync, rmSync} = await import('node:fs')
  const {tmpdir} = await import('node:os')
  const {join} = await import('node:path')
  const {ensureEmbeddedServer, stopEmbeddedServer} = await import('../dist/db/embedded.js')
  const dir = mkdtempSync(join(tmpdir(), 'nself-bench-pg-'))
  chmodSync(dir, 0o755)
  const s = await ensureEmbeddedServer(dir)
  return {
    url: `postgres://${s.user}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/postgres`,
    /** For settings that need a restart (ALTER SYSTEM … then restart()). */
    restart: async () => {
      await stopEmbeddedServer(dir)
      await ensureEmbeddedServer(dir)
    },
    stop: async () => {
      await stopEmbeddedServer(dir)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** Run a command and stream its output (for setup steps). */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: 'inherit', ...options})
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    )
  })
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
