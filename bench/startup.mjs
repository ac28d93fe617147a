// Startup: median wall time of `nself --version`, `nself db --help` and `nself db info` (embedded
// server already running), each beside `node -e 0` measured in the same run.
// Target (issue 2): --version and db --help ≤ 2.6× node -e 0.
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {NSELF, report, roundRobin, setting, SMOKE, timeOnce} from './lib.mjs'

const project = mkdtempSync(join(tmpdir(), 'nself-bench-startup-'))
chmodSync(project, 0o755)
// A project (nself refuses to start a server outside one): the smallest schema will do.
mkdirSync(join(project, 'database'))
writeFileSync(join(project, 'database', 'schema.dbml'), 'Table t {\n  id int [pk]\n}\n')
const env = {...process.env, DATABASE_URL: '', POSTGRES_HOST: ''}
const options = {cwd: project, env}
timeOnce(process.execPath, [NSELF, 'db', 'start'], options) // embedded server up before timing

// BENCH_BASELINE=/path/to/another/checkout (built) adds its CLI to the same rounds, so a change is
// compared with what it replaced in one run (the machine's noise hits both alike).
const baseline = process.env.BENCH_BASELINE ? join(process.env.BENCH_BASELINE, 'bin', 'run.js') : undefined
const commands = (label, bin) => [
  {name: `${label} --version`, command: process.execPath, args: [bin, '--version'], options},
  {name: `${label} db --help`, command: process.execPath, args: [bin, 'db', '--help'], options},
  {name: `${label} db info (embedded running)`, command: process.execPath, args: [bin, 'db', 'info'], options},
]
const results = roundRobin(
  [
    {name: 'node -e 0', command: process.execPath, args: ['-e', '0']},
    ...commands('nself', NSELF),
    ...(baseline ? commands('baseline', baseline) : []),
  ],
  {runs: setting('BENCH_RUNS', 21, 1), warmup: SMOKE ? 0 : 3},
)
const node = results['node -e 0'].median
console.log(
  '\n## startup (median wall time, ratio to node -e 0 in the same run; target ≤ 2.6× for --version and db --help)',
)
for (const [name, r] of Object.entries(results)) report(name, r.median, 's', 'node -e 0', node)
timeOnce(process.execPath, [NSELF, 'db', 'stop'], options)
rmSync(project, {recursive: true, force: true})
