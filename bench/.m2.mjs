import {readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'
const src = readFileSync(process.argv[2], 'utf8')
const {Compiler, MemoryProjectLayout, DEFAULT_ENTRY} = await import('@dbml/parse')
const l = new MemoryProjectLayout(); l.setSource(DEFAULT_ENTRY, src); const c = new Compiler(l)
let t = performance.now(); const lap = (n) => { const x = performance.now(); console.log(n, (x - t).toFixed(0)); t = x }
c.parse.ast(DEFAULT_ENTRY); lap('ast')
c.bindFile?.(DEFAULT_ENTRY); lap('bind')
c.parse.errors(DEFAULT_ENTRY); lap('errors')
c.parse.rawDb(DEFAULT_ENTRY); lap('rawDb')
