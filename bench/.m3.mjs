import {readFileSync} from 'node:fs'
import v8 from 'node:v8'
import {performance} from 'node:perf_hooks'
if (process.env.SEMI) v8.setFlagsFromString('--max-semi-space-size=' + process.env.SEMI)
const src = readFileSync(process.argv[2], 'utf8')
const {Compiler, MemoryProjectLayout, DEFAULT_ENTRY} = await import('@dbml/parse')
const t = performance.now()
const l = new MemoryProjectLayout(); l.setSource(DEFAULT_ENTRY, src); const c = new Compiler(l)
c.parse.errors(DEFAULT_ENTRY); c.parse.rawDb(DEFAULT_ENTRY)
console.log(process.env.SEMI, process.execArgv.join(' '), (performance.now() - t).toFixed(0), 'ms', (process.resourceUsage().maxRSS/1024).toFixed(0), 'MB')
