// `nself db run --dry-run` on the generated 1,000-table schema (bench/gen-dbml.mjs), from nothing
// and after changing 10 tables, beside `dbml2sql --postgres` on the same file (the real nself runs
// dbml2sql over the whole schema on every change). Median wall time and peak RSS, round-robin.
// Target (issue 4): from nothing ≥ 2× faster than dbml2sql, with ≤ half its peak memory.
// The anchor, @dbml/cli, is installed into bench/.anchors/ (git-ignored) on first use.
import {spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {generate} from './gen-dbml.mjs'
import {anchor, NSELF, ROOT, report, roundRobin, setting, SMOKE, timeOnce} from './lib.mjs'

const TABLES = setting('BENCH_TABLES', 1000, 50)
const RUNS = setting('BENCH_RUNS', 5, 1)

const ANCHORS = join(ROOT, 'bench', '.anchors')

function installDbml2sql() {
  const dir = ANCHORS
  const bin = join(dir, 'node_modules', '.bin', 'dbml2sql')
  mkdirSync(dir, {recursive: true})
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private": true}\n')
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, '@dbml/cli'], {stdio: 'inherit'})
  if (r.status !== 0 || !existsSync(bin)) throw new Error('could not install @dbml/cli into bench/.anchors')
}

/** Ten tables changed: five gain a column, five get a wider `code` column. */
function changeTenTables(source) {
  let text = source
  for (let i = 0; i < 10; i++) {
    const name = `table_${i * Math.floor(TABLES / 10)}`
    const head = `Table ${name} {\n`
    const at = text.indexOf(head)
    if (i < 5) text = text.slice(0, at + head.length) + '  bench_note text\n' + text.slice(at + head.length)
    else {
      const codeAt = text.indexOf('  code varchar(64) [not null]', at)
      text =
        text.slice(0, codeAt) +
        '  code varchar(128) [not null]' +
        text.slice(codeAt + '  code varchar(64) [not null]'.length)
    }
  }
  return text
}

function makeProject(schema) {
  const dir = mkdtempSync(join(tmpdir(), 'nself-bench-run-'))
  chmodSync(dir, 0o755)
  mkdirSync(join(dir, 'database'))
  writeFileSync(join(dir, 'database', 'schema.dbml'), schema)
  return dir
}

const dbml2sql = anchor('@dbml/cli', join(ANCHORS, 'node_modules', '.bin', 'dbml2sql'), installDbml2sql)
const source = generate(TABLES, 1)
const fresh = makeProject(source)
const changed = makeProject(source)
// The 10-table case starts from a real 001 migration and its snapshot of the original schema.
timeOnce(process.execPath, [NSELF, 'db', 'run'], {cwd: changed})
writeFileSync(join(changed, 'database', 'schema.dbml'), changeTenTables(source))
const check = timeOnce(process.execPath, [NSELF, 'db', 'run', '--dry-run', '--json'], {cwd: changed})
const changes = JSON.parse(check.stdout).changes.length
if (changes !== 10) throw new Error(`expected 10 changes after editing 10 tables, got ${changes}`)
// The same schema as a model .json (what the snapshot holds): shows nself's own cost without the DBML parser.
const modelJson = join(fresh, 'database', 'schema.json')
copyFileSync(join(changed, 'database', 'migrations', 'meta', '001.json'), modelJson)

const results = roundRobin(
  [
    ...(dbml2sql
      ? [
          {
            name: 'dbml2sql --postgres',
            command: dbml2sql,
            args: ['--postgres', join(fresh, 'database', 'schema.dbml')],
            options: {cwd: fresh},
          },
        ]
      : []),
    {
      name: 'nself db run --dry-run (from nothing)',
      command: process.execPath,
      args: [NSELF, 'db', 'run', '--dry-run'],
      options: {cwd: fresh},
    },
    {
      name: 'nself db run --dry-run (10 tables changed)',
      command: process.execPath,
      args: [NSELF, 'db', 'run', '--dry-run'],
      options: {cwd: changed},
    },
    {
      name: 'nself db run --dry-run (model .json, no parser)',
      command: process.execPath,
      args: [NSELF, 'db', 'run', '--dry-run', '--schema', modelJson],
      options: {cwd: fresh},
    },
  ],
  {runs: RUNS, warmup: SMOKE ? 0 : 1},
)
const dbml2sqlResult = results['dbml2sql --postgres'] ?? {median: NaN, rssMb: NaN}
console.log(
  `\n## run-dry: ${TABLES} tables (median of ${RUNS}, ratio to dbml2sql in the same run; target ≤ 0.5× time and ≤ 0.5× peak RSS from nothing)`,
)
for (const [name, r] of Object.entries(results))
  report(`${name} time`, r.median, 's', 'dbml2sql', dbml2sqlResult.median)
for (const [name, r] of Object.entries(results))
  report(`${name} peak RSS`, r.rssMb, 'MB', 'dbml2sql', dbml2sqlResult.rssMb)
rmSync(fresh, {recursive: true, force: true})
rmSync(changed, {recursive: true, force: true})
