// `npm run bench`: runs every benchmark script in bench/ (each prints its own figures; _*.mjs are helpers).
import {readdirSync} from 'node:fs'
const dir = new URL('.', import.meta.url)
for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_')).sort()) {
  console.log(`\n# bench/${file}`)
  await import(new URL(file, dir).href)
}
