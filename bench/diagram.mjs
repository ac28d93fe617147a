// Diagram: wall time (whole process) and peak RSS of `nself db diagram` on a generated schema
// (default 200 tables), beside `nself db validate` on the same file in the same run (round-robin):
// the diagram parses the same schema, so the ratio shows what layout and drawing add.
// Target: 200 tables render in under 3 s.
// BENCH_TABLES (200) and BENCH_RUNS (5) change the size and the number of runs.
import {mkdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {generate} from './gen-dbml.mjs'
import {NSELF, ROOT, report, roundRobin, setting} from './lib.mjs'

const TABLES = setting('BENCH_TABLES', 200, 20)
const runs = setting('BENCH_RUNS', 5, 1)
const OUT = join(ROOT, 'bench', 'out')
mkdirSync(OUT, {recursive: true})
const schema = join(OUT, `schema-${TABLES}.dbml`)
writeFileSync(schema, generate(TABLES, 1))
const html = join(OUT, `diagram-${TABLES}.html`)
const env = {...process.env, NODE_ENV: 'production'}

const results = roundRobin(
  [
    {
      name: 'diagram',
      command: process.execPath,
      args: [NSELF, 'db', 'diagram', '--file', schema, '--out', html],
      options: {env},
    },
    {
      name: 'diagram svg',
      command: process.execPath,
      args: [NSELF, 'db', 'diagram', '--file', schema, '--out', join(OUT, `diagram-${TABLES}.svg`), '--format', 'svg'],
      options: {env},
    },
    {name: 'validate', command: process.execPath, args: [NSELF, 'db', 'validate', '--file', schema], options: {env}},
    // Bare Node startup in the same run: shows how loaded the machine was when reading absolute times.
    {name: 'node -e 0', command: process.execPath, args: ['-e', '0']},
  ],
  {runs, warmup: 1},
)
const d = results.diagram
const v = results.validate
console.log(
  `\n## diagram, ${TABLES} tables (median of ${runs}, whole process; ratio to nself db validate on the same schema in the same run)`,
)
report('nself db diagram (html): wall', d.median, 's', 'validate', v.median)
report('nself db diagram --format svg: wall', results['diagram svg'].median, 's', 'validate', v.median)
report('nself db validate: wall', v.median, 's', 'validate', v.median)
report('nself db diagram (html): peak RSS', d.rssMb, 'MB', 'validate', v.rssMb)
report('node -e 0 (machine-load reference): wall', results['node -e 0'].median, 's', 'validate', v.median)
console.log(`page size ${(statSync(html).size / 1024).toFixed(0)} KB`)
console.log(
  `\n${TABLES} tables: ${(d.median * 1000).toFixed(0)} ms (target < 3000 ms) ${d.median < 3 ? 'met' : 'MISSED'}`,
)
