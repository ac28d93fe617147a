// Hostile input to `nself db validate`: 10 MB of random printable characters, 10 MB of random bytes,
// and a NOT NULL foreign-key cycle through 20,000 tables. Each must end with located errors (exit 5),
// never an internal error or "Maximum call stack size exceeded", within 10 s and 500 MB (issue 12).
// Wall time and peak RSS of the whole process, one run each; `node -e 0` in the same run shows how
// loaded the machine was.
import {randomBytes} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {NSELF, ROOT, SMOKE, report, setting, timeOnce} from './lib.mjs'

const OUT = join(ROOT, 'bench', 'out')
const MB = setting('BENCH_HOSTILE_MB', 10, 1)
const TABLES = setting('BENCH_CYCLE_TABLES', 20_000, 500)
mkdirSync(OUT, {recursive: true})

/** Deterministic random text from the characters DBML uses (and many it does not). */
function randomText(chars) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz{}[]()<>:;,."\'`\n \t#/*-+=0123456789'
  let seed = 1
  const out = new Array(chars)
  for (let i = 0; i < chars; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    out[i] = alphabet[(seed >>> 12) % alphabet.length]
  }
  return out.join('')
}

function cycle(n) {
  const parts = []
  for (let i = 0; i < n; i++)
    parts.push(`Table t${i} {\n  id int [pk]\n  next_id int [not null, ref: > t${(i + 1) % n}.id]\n}\n`)
  return parts.join('')
}

const cases = {
  [`${MB} MB random text`]: randomText(MB * 1_000_000),
  [`${MB} MB on one line`]: 'Table t { id int }'.repeat(1).replace('}', '') + 'x '.repeat(MB * 500_000),
  [`${MB} MB, no line break, no brace`]: 'ab,cd<e` '.repeat(MB * 111_111),
  [`${MB} MB random bytes`]: randomBytes(MB * 1_000_000),
  [`NOT NULL cycle over ${TABLES} tables`]: cycle(TABLES),
}
const baseline = timeOnce(process.execPath, ['-e', '0'])
let failed = false
for (const [label, content] of Object.entries(cases)) {
  const file = join(OUT, `hostile-${label.replace(/\W+/g, '-')}.dbml`)
  writeFileSync(file, content)
  const r = timeOnce(process.execPath, [NSELF, 'db', 'validate', '--file', file], {allowFailure: true})
  const first = r.stdout.split('\n')[0].slice(0, 160)
  const sound = /:\d+:\d+: error: /.test(r.stdout) && !/internal error|Maximum call stack/.test(r.stdout + r.stderr)
  console.log(`\n## validate, ${label}: first line: ${first}`)
  report(`wall (target ≤ 10 s)`, r.seconds, 's', 'node -e 0', baseline.seconds)
  report(`peak RSS (target ≤ 500 MB)`, r.rssMb, 'MB', 'node -e 0', baseline.rssMb)
  if (!sound) {
    console.log(`FAILED: no located error, or an internal error (${r.stderr.slice(-300)})`)
    failed = true
  }
}
if (SMOKE) console.log('\n(smoke: small sizes)')
process.exit(failed ? 1 : 0)
