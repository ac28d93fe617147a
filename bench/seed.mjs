#!/usr/bin/env node
// Seeding benchmark (issue 6): `nself db seed` of 1,000,000 JSON rows into
//   events(id bigint, user_id uuid, kind text, payload jsonb, created_at timestamptz)
// beside `psql \copy` of the same rows as CSV (when psql is installed) and a row-by-row INSERT loop
// (20,000 rows), in the same run against the same server. Prints rows/s, ratios and the peak RSS
// of the nself process. Targets: nself ≥ 0.8× the rows/s of \copy; peak RSS < 150 MB.
//
//   npm run build && node bench/seed.mjs [--rows 1000000] [--runs 3] [--insert-rows 20000] [--only seed,copy,insert]
// Uses NSELF_TEST_DATABASE_URL (an admin URL) when set, else starts nself's embedded server.
// Data files are generated once into bench/out/ (git-ignored) and reused.
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {once} from 'node:events'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import pg from 'pg'

const root = new URL('..', import.meta.url).pathname
// Smoke mode (BENCH_SMOKE=1, see bench/lib.mjs): a few thousand rows, one run.
const SMOKE = process.env.BENCH_SMOKE === '1'
const {values: opts} = parseArgs({
  options: {
    rows: {type: 'string', default: SMOKE ? '2000' : '1000000'},
    runs: {type: 'string', default: SMOKE ? '1' : '3'},
    'insert-rows': {type: 'string', default: SMOKE ? '500' : '20000'},
    only: {type: 'string', default: 'seed,copy,insert'},
  },
})
const ONLY = new Set(opts.only.split(','))
const ROWS = Number(opts.rows)
const RUNS = Number(opts.runs)
const INSERT_ROWS = Number(opts['insert-rows'])
const out = join(root, 'bench', 'out')
mkdirSync(out, {recursive: true})

const TABLE_SQL =
  'CREATE TABLE events (id bigint PRIMARY KEY, user_id uuid NOT NULL, kind text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)'
const KINDS = ['click', 'view', 'signup', 'purchase', 'logout']

function event(i) {
  const hex = i.toString(16).padStart(12, '0')
  return {
    id: i,
    user_id: `6f1c2d3e-4b5a-4c7d-8e9f-${hex}`,
    kind: KINDS[i % KINDS.length],
    payload: {
      page: `/products/${i % 997}`,
      referrer: i % 3 === 0 ? null : 'https://example.com/?q=a\tb',
      n: i,
      tags: ['a', 'b "quoted"'],
      nested: {ok: i % 2 === 0},
    },
    created_at: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
  }
}

function csvField(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Writes events<N>.json (an array, one object per line) and events<N>.csv once. */
async function generate() {
  const json = join(out, `events${ROWS}.json`)
  const csv = join(out, `events${ROWS}.csv`)
  if (existsSync(json) && existsSync(csv)) return {json, csv}
  const started = Date.now()
  const j = createWriteStream(json)
  const c = createWriteStream(csv)
  const write = async (stream, text) => stream.write(text) || (await once(stream, 'drain'))
  await write(j, '[\n')
  for (let i = 1; i <= ROWS; i++) {
    const e = event(i)
    await write(j, `${JSON.stringify(e)}${i < ROWS ? ',' : ''}\n`)
    await write(c, `${e.id},${e.user_id},${e.kind},${csvField(e.payload)},${e.created_at}\n`)
  }
  await write(j, ']\n')
  j.end()
  c.end()
  await Promise.all([once(j, 'finish'), once(c, 'finish')])
  console.log(`generated ${ROWS} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return {json, csv}
}

async function server() {
  if (process.env.NSELF_TEST_DATABASE_URL) return {url: process.env.NSELF_TEST_DATABASE_URL, stop: async () => {}}
  const {ensureEmbeddedServer, stopEmbeddedServer} = await import(join(root, 'dist/db/embedded.js'))
  const state = mkdtempSync(join(tmpdir(), 'nself-bench-pg-'))
  chmodSync(state, 0o755)
  const s = await ensureEmbeddedServer(state)
  return {
    url: `postgres://${s.user}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/postgres`,
    stop: async () => {
      await stopEmbeddedServer(state)
      rmSync(state, {recursive: true, force: true})
    },
  }
}

async function query(url, sql, params) {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  try {
    return await client.query(sql, params)
  } finally {
    await client.end()
  }
}

/** Run a command under /usr/bin/time: wall seconds, peak RSS (MB), stdout. */
function timed(command, args, env) {
  const hasTime = existsSync('/usr/bin/time')
  const started = process.hrtime.bigint()
  const result = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB=%M CPU_S=%U+%S', command, ...args], {
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      })
    : spawnSync(command, args, {env, encoding: 'utf8', maxBuffer: 1 << 26})
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`)
  const rss = /MAXRSS_KB=(\d+)/.exec(result.stderr ?? '')
  const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(result.stderr ?? '')
  return {
    seconds,
    rssMb: rss ? Number(rss[1]) / 1024 : undefined,
    cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined,
    stdout: result.stdout,
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function seedProject(json) {
  const project = mkdtempSync(join(tmpdir(), 'nself-bench-project-'))
  mkdirSync(join(project, '.nself'))
  mkdirSync(join(project, 'database/seeds/bench'), {recursive: true})
  symlinkSync(json, join(project, 'database/seeds/bench/events.json'))
  return project
}

/** One `nself db seed` of the JSON file into an empty table (the truncate is not timed). */
async function seedOnce(dbUrl, project, r) {
  await query(dbUrl, 'TRUNCATE events')
  await query(dbUrl, 'DROP TABLE IF EXISTS nself_seeds')
  const env = {...process.env, DATABASE_URL: dbUrl, NSELF_PROJECT_DIR: project, NODE_ENV: 'production'}
  const run = timed(process.execPath, [join(root, 'bin/run.js'), 'db', 'seed', '--env', 'bench', '--json'], env)
  const file = JSON.parse(run.stdout).files[0]
  if (file.rows !== ROWS) throw new Error(`nself seeded ${file.rows} rows, expected ${ROWS}`)
  console.log(
    `  run ${r + 1}: nself db seed ${run.seconds.toFixed(2)} s (seed step ${(file.ms / 1000).toFixed(2)} s), CPU ${run.cpuSeconds?.toFixed(2)} s, peak RSS ${run.rssMb?.toFixed(0)} MB`,
  )
  return {seconds: run.seconds, seedSeconds: file.ms / 1000, rssMb: run.rssMb ?? 0}
}

function hasPsql() {
  return spawnSync('psql', ['--version']).status === 0
}

/** One `psql \\copy` of the CSV file into an empty table. */
async function copyOnce(dbUrl, csv, r) {
  await query(dbUrl, 'TRUNCATE events')
  const run = timed(
    'psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-c', `\\copy events FROM '${csv}' CSV`],
    process.env,
  )
  const {rows} = await query(dbUrl, 'SELECT count(*)::int AS n FROM events')
  if (rows[0].n !== ROWS) throw new Error(`\\copy loaded ${rows[0].n} rows`)
  console.log(`  run ${r + 1}: psql \\copy ${run.seconds.toFixed(2)} s`)
  return run.seconds
}

/** Seed and \\copy runs alternate, so that a change in machine load affects both alike. */
async function benchSeedAndCopy(dbUrl, data) {
  const project = seedProject(data.json)
  const seeds = []
  const copies = []
  const withCopy = ONLY.has('copy') && hasPsql()
  for (let r = 0; r < RUNS; r++) {
    if (ONLY.has('seed')) seeds.push(await seedOnce(dbUrl, project, r))
    if (withCopy) copies.push(await copyOnce(dbUrl, data.csv, r))
  }
  rmSync(project, {recursive: true, force: true})
  const seed = seeds.length
    ? {
        seconds: median(seeds.map((s) => s.seconds)),
        seedSeconds: median(seeds.map((s) => s.seedSeconds)),
        rssMb: Math.max(...seeds.map((s) => s.rssMb)),
      }
    : undefined
  return {seed, copySeconds: withCopy ? median(copies) : undefined}
}

async function benchInsert(dbUrl, json) {
  await query(dbUrl, 'TRUNCATE events')
  const {readJsonArray} = await import(join(root, 'plugins/seed-json/dist/json-array.js'))
  const client = new pg.Client({connectionString: dbUrl})
  await client.connect()
  let n = 0
  const started = process.hrtime.bigint()
  for await (const e of readJsonArray(json)) {
    await client.query('INSERT INTO events (id, user_id, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)', [
      e.id,
      e.user_id,
      e.kind,
      e.payload,
      e.created_at,
    ])
    if (++n === INSERT_ROWS) break
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await client.end()
  return seconds
}

const data = await generate()
const srv = await server()
const dbName = `nself_bench_seed_${process.pid}`
await query(srv.url, `CREATE DATABASE ${dbName}`)
const dbUrl = Object.assign(new URL(srv.url), {pathname: `/${dbName}`}).toString()
try {
  await query(dbUrl, TABLE_SQL)
  const version = (await query(dbUrl, 'SHOW server_version')).rows[0].server_version
  console.log(`seed benchmark: ${ROWS} rows, median of ${RUNS} runs, PostgreSQL ${version}, Node ${process.version}`)
  const {seed: seedRun, copySeconds} = await benchSeedAndCopy(dbUrl, data)
  const insertSeconds = ONLY.has('insert') ? await benchInsert(dbUrl, data.json) : NaN
  const rate = (rows, s) => rows / s
  const seedRate = rate(ROWS, seedRun.seconds)
  const lines = [
    ['nself db seed (JSON, whole process)', ROWS, seedRun.seconds, seedRate],
    ['nself db seed (JSON, seed step only)', ROWS, seedRun.seedSeconds, rate(ROWS, seedRun.seedSeconds)],
  ]
  if (copySeconds) lines.push(['psql \\copy (CSV, whole process)', ROWS, copySeconds, rate(ROWS, copySeconds)])
  if (ONLY.has('insert'))
    lines.push([
      `row-by-row INSERT (${INSERT_ROWS} rows)`,
      INSERT_ROWS,
      insertSeconds,
      rate(INSERT_ROWS, insertSeconds),
    ])
  const copyRate = copySeconds ? rate(ROWS, copySeconds) : undefined
  console.log('\nmethod                                   rows       seconds   rows/s     ÷ \\copy rows/s')
  for (const [name, rows, s, r] of lines) {
    console.log(
      `${name.padEnd(40)} ${String(rows).padEnd(10)} ${s.toFixed(2).padEnd(9)} ${Math.round(r).toLocaleString('en').padEnd(10)} ${copyRate ? (r / copyRate).toPrecision(2) + '×' : '-'}`,
    )
  }
  console.log(
    `\nnself peak RSS: ${seedRun.rssMb.toFixed(0)} MB (target < 150 MB): ${seedRun.rssMb < 150 ? 'ok' : 'MISSED'}`,
  )
  if (copyRate)
    console.log(
      `nself vs \\copy: ${(seedRate / copyRate).toFixed(2)}× (target ≥ 0.80×): ${seedRate / copyRate >= 0.8 ? 'ok' : 'MISSED'}`,
    )
  if (ONLY.has('insert'))
    console.log(`nself vs row-by-row INSERT: ${(seedRate / rate(INSERT_ROWS, insertSeconds)).toFixed(0)}× faster`)
} finally {
  await query(srv.url, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {})
  await srv.stop()
}
