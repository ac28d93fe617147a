// Validate: wall time (whole process) and peak RSS of `nself db validate` on the blog schema and on a
// generated 1,000-table schema, each beside `dbml2sql --postgres` (@dbml/cli) on the same file, in
// the same run (round-robin, so machine noise hits both alike).
// Targets (issue 3): blog ≤ 0.3 s and ≥ 4× faster than dbml2sql; 1,000 tables ≥ 2× faster than
// dbml2sql with ≤ half its peak memory.
// dbml2sql is installed on first run into bench/.anchors/ (git-ignored, its own package.json), so
// @dbml/cli never becomes a dependency of nself.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generate} from './gen-dbml.mjs'
import {anchor, NSELF, ROOT, report, roundRobin, setting, SMOKE} from './lib.mjs'

const ANCHORS = join(ROOT, 'bench', '.anchors')
const DBML2SQL = join(ANCHORS, 'node_modules', '@dbml', 'cli', 'bin', 'dbml2sql.js')
const OUT = join(ROOT, 'bench', 'out')
const TABLES = setting('BENCH_TABLES', 1000, 50)

function installDbml2sql() {
  mkdirSync(ANCHORS, {recursive: true})
  writeFileSync(
    join(ANCHORS, 'package.json'),
    JSON.stringify({name: 'nself-bench-anchors', private: true}, null, 2) + '\n',
  )
  console.log('installing @dbml/cli into bench/.anchors (first run only)…')
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '@dbml/cli@6.6.0'], {
    cwd: ANCHORS,
    stdio: 'inherit',
  })
  if (r.status !== 0 || !existsSync(DBML2SQL)) throw new Error('could not install @dbml/cli into bench/.anchors')
}

const dbml2sql = anchor('@dbml/cli', DBML2SQL, installDbml2sql)
mkdirSync(OUT, {recursive: true})
const big = join(OUT, `schema-${TABLES}.dbml`)
writeFileSync(big, generate(TABLES, 1))
const files = {blog: join(ROOT, 'test', 'fixtures', 'blog.dbml'), [`${TABLES} tables`]: big}
// dbml2sql prints an AWS SDK Node-version warning on Node 20: keep it out of the figures' output.
const env = {...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', NODE_NO_WARNINGS: '1'}
const runs = setting('BENCH_RUNS', 5, 1)

const verdicts = []
for (const [label, file] of Object.entries(files)) {
  const results = roundRobin(
    [
      {name: 'nself', command: process.execPath, args: [NSELF, 'db', 'validate', '--file', file], options: {env}},
      // The same with the fast path off: what @dbml/parse alone would give (see src/schema/parse.ts).
      {
        name: 'nself (@dbml/parse only)',
        command: process.execPath,
        args: [NSELF, 'db', 'validate', '--file', file],
        options: {env: {...env, NSELF_DBML_PARSER: 'dbml'}},
      },
      ...(dbml2sql
        ? [{name: 'dbml2sql', command: process.execPath, args: [dbml2sql, '--postgres', file], options: {env}}]
        : []),
      // Bare Node startup in the same run: shows how loaded the machine was when reading absolute times.
      {name: 'node -e 0', command: process.execPath, args: ['-e', '0']},
    ],
    {runs, warmup: SMOKE ? 0 : 1},
  )
  const n = results.nself
  const d = results.dbml2sql ?? {median: NaN, rssMb: NaN}
  console.log(`\n## validate ${label} (median of ${runs}, whole process; ratio to dbml2sql --postgres in the same run)`)
  report(`nself db validate: wall`, n.median, 's', 'dbml2sql', d.median)
  report(`dbml2sql --postgres: wall`, d.median, 's', 'dbml2sql', d.median)
  report(`nself db validate: peak RSS`, n.rssMb, 'MB', 'dbml2sql', d.rssMb)
  report(`dbml2sql --postgres: peak RSS`, d.rssMb, 'MB', 'dbml2sql', d.rssMb)
  report(`nself, @dbml/parse only: wall`, results['nself (@dbml/parse only)'].median, 's', 'dbml2sql', d.median)
  report(`nself, @dbml/parse only: peak RSS`, results['nself (@dbml/parse only)'].rssMb, 'MB', 'dbml2sql', d.rssMb)
  report(`node -e 0 (machine-load reference): wall`, results['node -e 0'].median, 's', 'dbml2sql', d.median)
  const speedup = d.median / n.median
  console.log(`speed-up ${speedup.toFixed(2)}×, memory ${(n.rssMb / d.rssMb).toFixed(2)}× of dbml2sql`)
  if (!dbml2sql) continue
  verdicts.push(
    label === 'blog'
      ? `blog: ${(n.median * 1000).toFixed(0)} ms (target ≤ 300 ms) ${n.median <= 0.3 ? 'met' : 'MISSED'}; ${speedup.toFixed(2)}× faster (target ≥ 4×) ${speedup >= 4 ? 'met' : 'MISSED'}`
      : `${label}: ${speedup.toFixed(2)}× faster (target ≥ 2×) ${speedup >= 2 ? 'met' : 'MISSED'}; ${(n.rssMb / d.rssMb).toFixed(2)}× memory (target ≤ 0.5×) ${n.rssMb <= d.rssMb / 2 ? 'met' : 'MISSED'}`,
  )
}
if (verdicts.length) console.log('\n' + verdicts.join('\n'))
