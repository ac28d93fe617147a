import {parseSchema} from './src/schema/parse.js'
import {validateSchema} from './src/validate/index.js'
import {readFileSync} from 'node:fs'
const src = readFileSync(process.argv[2], 'utf8')
const n = Number(process.argv[3] ?? src.length)
const t0 = performance.now()
const p = await parseSchema(src.slice(0, n), 'x')
const t1 = performance.now()
const d = validateSchema(p)
console.log(n, 'parse', Math.round(t1 - t0), 'ms', p.parseErrors.length, 'errors', d[0]?.message.slice(0, 80), 'rss', Math.round(process.memoryUsage().rss / 1e6))
