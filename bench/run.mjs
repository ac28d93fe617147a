#!/usr/bin/env node
// `npm run bench`: runs every benchmark script in bench/ (bench/<name>.mjs) in turn, passing the
// arguments through. Each script prints its own figures; build first (npm run build).
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'

const dir = new URL('.', import.meta.url).pathname
const scripts = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').sort()
let failed = 0
for (const script of scripts) {
  console.log(`\n=== bench/${script}`)
  const result = spawnSync(process.execPath, [join(dir, script), ...process.argv.slice(2)], {stdio: 'inherit'})
  if (result.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
