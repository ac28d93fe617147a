// npm run bench [-- [--smoke] name…]: runs every benchmark (or the named ones) one after another.
// Each prints its figures and their ratios to the anchor it names, measured in the same run.
// --smoke (or BENCH_SMOKE=1): small sizes, one run each (see bench/lib.mjs); CI runs this so that a
// benchmark that no longer runs to the end fails the build. A slow figure never fails it: only a
// benchmark that exits non-zero does.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const all = [
  'startup',
  'validate',
  'hostile',
  'run-dry',
  'verify',
  'parsers',
  'migrate',
  'migrate-kill',
  'seed',
  'backup',
  'restore-big',
  'diagram',
  'introspect',
]
const args = process.argv.slice(2)
const smoke = args.includes('--smoke') || process.env.BENCH_SMOKE === '1'
const named = args.filter((a) => a !== '--smoke')
const wanted = named.length ? named : all
const env = smoke ? {...process.env, BENCH_SMOKE: '1'} : process.env
if (smoke)
  console.log(
    'bench smoke: small sizes, one run each; the figures only show that each benchmark runs, they mean nothing',
  )
const started = Date.now()
const failed = []
for (const name of wanted) {
  const file = new URL(`./${name}.mjs`, import.meta.url).pathname
  if (!existsSync(file)) {
    console.log(`\n## ${name}: no benchmark file (bench/${name}.mjs)`)
    failed.push(name)
    continue
  }
  console.log(`\n=== bench/${name}.mjs${smoke ? ' (smoke)' : ''}`)
  const r = spawnSync(process.execPath, [file], {stdio: 'inherit', env})
  if (r.status !== 0) failed.push(`${name} (exit ${r.status ?? r.signal})`)
}
const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log(
  `\nbench${smoke ? ' smoke' : ''}: ${wanted.length - failed.length} of ${wanted.length} benchmarks ran to the end in ${seconds} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}`,
)
process.exit(failed.length ? 1 : 0)
