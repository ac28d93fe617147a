// npm run bench [-- name…]: runs every benchmark (or the named ones) one after another.
// Each prints its figures and their ratios to the anchor it names, measured in the same run.
import {existsSync} from 'node:fs'
import {run} from './lib.mjs'

const all = ['startup', 'validate', 'run-dry', 'migrate', 'seed', 'backup']
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all
for (const name of wanted) {
  const file = new URL(`./${name}.mjs`, import.meta.url).pathname
  if (!existsSync(file)) {
    console.log(`\n## ${name}: no benchmark file (bench/${name}.mjs)`)
    continue
  }
  await run(process.execPath, [file])
}
