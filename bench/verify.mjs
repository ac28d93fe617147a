// What verification costs: `nself db run --dry-run` (which verifies the pair on a scratch
// database: existing migrations, up, down, up again, and B built from nothing, each compared through
// pg_catalog) beside `nself db run --dry-run --no-verify`, on the blog schema and on the generated
// 1,000-table schema (bench/gen-dbml.mjs). Round-robin medians; the verification time is the one
// db run prints (it excludes process start and parsing), the ratio compares whole runs.
// Targets (issue 13): verification < 1 s on the blog schema and < 10 s on 1,000 tables.
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {generate} from './gen-dbml.mjs'
import {NSELF, ROOT, benchServer, median, nselfEnv, report, roundRobin, setting, timeOnce} from './lib.mjs'

const TABLES = setting('BENCH_TABLES', 1000, 30)
const RUNS = setting('BENCH_RUNS', 5, 1)

function makeProject(schema) {
  const dir = mkdtempSync(join(tmpdir(), 'nself-bench-verify-'))
  chmodSync(dir, 0o755)
  mkdirSync(join(dir, 'database'))
  writeFileSync(join(dir, 'database', 'schema.dbml'), schema)
  return dir
}

const server = await benchServer()
// Dropping 1,000 tables in one transaction (the down) needs more locks than the default 64 per
// connection: the same holds for `migrate:down` on such a server, so the benchmark server gets more.
if (!process.env.NSELF_TEST_DATABASE_URL) await raiseLockTable(server)
const env = nselfEnv({NSELF_VERIFY_DATABASE_URL: server.url})
const blog = makeProject('')
copyFileSync(join(ROOT, 'test', 'fixtures', 'blog.dbml'), join(blog, 'database', 'schema.dbml'))
const big = makeProject(generate(TABLES, 1))
try {
  for (const [label, dir, runs] of [
    ['blog schema', blog, RUNS],
    [`${TABLES} tables`, big, Math.max(1, Math.min(RUNS, 3))],
  ]) {
    const verifiedMs = []
    const results = roundRobin(
      [
        {
          name: 'no-verify',
          command: process.execPath,
          args: [NSELF, 'db', 'run', '--dry-run', '--no-verify'],
          options: {cwd: dir, env},
        },
        {
          name: 'verified',
          command: process.execPath,
          args: [NSELF, 'db', 'run', '--dry-run', '--json'],
          options: {cwd: dir, env},
        },
      ],
      {runs, warmup: 1},
    )
    // The verification's own time, from a few more runs' JSON (not part of the round-robin figures).
    for (let i = 0; i < runs; i++) {
      const r = timeOnce(process.execPath, [NSELF, 'db', 'run', '--dry-run', '--json'], {cwd: dir, env})
      verifiedMs.push(JSON.parse(r.stdout).verified.ms)
    }
    const target = label === 'blog schema' ? 1 : 10
    console.log(
      `\n## verify: ${label} (median of ${runs}; target: verification < ${target} s; ratio to db run --no-verify in the same run)`,
    )
    report('db run --dry-run --no-verify', results['no-verify'].median, 's', '--no-verify', results['no-verify'].median)
    report('db run --dry-run (verified)', results.verified.median, 's', '--no-verify', results['no-verify'].median)
    report(
      'verification alone (printed by db run)',
      median(verifiedMs) / 1000,
      's',
      '--no-verify',
      results['no-verify'].median,
    )
  }
} finally {
  rmSync(blog, {recursive: true, force: true})
  rmSync(big, {recursive: true, force: true})
  // A server with 1,000 tables' worth of catalog can take long to stop on a busy machine: not a failure of the figures.
  await server.stop().catch((error) => console.error(`note: ${error.message}`))
}

async function raiseLockTable(s) {
  const {query} = await import('./lib.mjs')
  await query(s.url, 'ALTER SYSTEM SET max_locks_per_transaction = 1024')
  await s.restart()
}
