// npm run bench [-- name…]: runs every benchmark (or the named ones) one after another.
// Each prints its figures and their ratios to the anchor it names, measured in the same run.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const all = ['startup', 'validate', 'run-dry', 'verify', 'migrate', 'migrate-kill', 'seed', 'backup']
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all
let failed = 0
for (const name of wanted) {
  const file = new URL(`./${name}.mjs`, import.meta.url).pathname
  if (!existsSync(file)) {
    console.log(`\n## ${name}: no benchmark file (bench/${name}.mjs)`)
    continue
  }
  console.log(`\n=== bench/${name}.mjs`)
  if (spawnSync(process.execPath, [file], {stdio: 'inherit'}).status !== 0) failed++
}
process.exit(failed ? 1 : 0)
