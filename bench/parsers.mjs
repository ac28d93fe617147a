// Parser choice for src/schema/parse.ts: load time, parse time and peak RSS of @dbml/core
// (Parser.parse(src, 'dbmlv2')), @dbml/parse (Compiler → rawDb) and nself's fast path, each in a
// fresh process, on the blog schema and a generated 1,000-table schema. Medians of BENCH_RUNS (3).
// @dbml/core is installed into bench/.anchors on first run (it is not a dependency of nself).
// Usage: node bench/parsers.mjs
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generate} from './gen-dbml.mjs'
import {anchor, ROOT, median, setting} from './lib.mjs'

const ANCHORS = join(ROOT, 'bench', '.anchors')
const CORE = anchor('@dbml/core', join(ANCHORS, 'node_modules', '@dbml', 'core'), () => {
  mkdirSync(ANCHORS, {recursive: true})
  if (!existsSync(join(ANCHORS, 'package.json')))
    writeFileSync(join(ANCHORS, 'package.json'), '{"name":"nself-bench-anchors","private":true}\n')
  console.log('installing @dbml/core into bench/.anchors (first run only)…')
  spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '@dbml/core@10.2.0'], {
    cwd: ANCHORS,
    stdio: 'inherit',
  })
})
const TABLES = setting('BENCH_TABLES', 1000, 50)

const OUT = join(ROOT, 'bench', 'out')
mkdirSync(OUT, {recursive: true})
const big = join(OUT, `schema-${TABLES}.dbml`)
writeFileSync(big, generate(TABLES, 1))
const files = {blog: join(ROOT, 'test', 'fixtures', 'blog.dbml'), [`${TABLES.toLocaleString('en')} tables`]: big}

// Child: loads one parser, parses once, prints {load, parse, rss}.
const child = `
const {readFileSync} = await import('node:fs')
const [which, file] = process.argv.slice(1)
const src = readFileSync(file, 'utf8')
const t0 = performance.now()
let parse
if (which === '@dbml/core') {
  const {Parser} = await import(${JSON.stringify(join(CORE ?? '', 'lib', 'index.mjs'))})
  parse = (s) => Parser.parse(s, 'dbmlv2')
} else if (which === '@dbml/parse') {
  const {Compiler, MemoryProjectLayout, DEFAULT_ENTRY} = await import('@dbml/parse')
  parse = (s) => { const l = new MemoryProjectLayout(); l.setSource(DEFAULT_ENTRY, s); const c = new Compiler(l); if (c.parse.errors(DEFAULT_ENTRY).length) throw new Error('errors'); return c.parse.rawDb(DEFAULT_ENTRY) }
} else {
  const {fastParse} = await import(${JSON.stringify(join(ROOT, 'dist', 'schema', 'fast-parse.js'))})
  parse = (s) => { const r = fastParse(s); if (!r) throw new Error('fast path bailed'); return r }
}
const t1 = performance.now()
parse(src)
const t2 = performance.now()
console.log(JSON.stringify({load: t1 - t0, parse: t2 - t1, rss: process.resourceUsage().maxRSS / 1024}))
`
const runs = setting('BENCH_RUNS', 3, 1)
console.log(`\n## DBML parsers (fresh process each, median of ${runs}): load ms, parse ms, peak RSS MB`)
for (const [label, file] of Object.entries(files)) {
  for (const which of [...(CORE ? ['@dbml/core'] : []), '@dbml/parse', 'nself fast path']) {
    const samples = []
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, which, file], {
        cwd: ROOT,
        encoding: 'utf8',
      })
      if (r.status !== 0) throw new Error(`${which} on ${label}: ${r.stderr.slice(-500)}`)
      samples.push(JSON.parse(r.stdout))
    }
    const m = (k) => median(samples.map((s) => s[k]))
    console.log(
      `${label.padEnd(14)} ${which.padEnd(16)} load ${m('load').toFixed(0).padStart(5)}   parse ${m('parse').toFixed(0).padStart(5)}   RSS ${m('rss').toFixed(0).padStart(4)}`,
    )
  }
}
