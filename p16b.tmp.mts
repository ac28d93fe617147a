import {parseSchema} from './src/schema/parse.js'
import {validateSchema} from './src/validate/index.js'
const n = 20000
const parts: string[] = []
for (let i = 0; i < n; i++) parts.push(`Table t${i} {\n  id int [pk]\n  next_id int [not null, ref: > t${(i + 1) % n}.id]\n}\n`)
const t0 = performance.now()
const d = validateSchema(await parseSchema(parts.join(''), 'x'))
console.log(Math.round(performance.now() - t0), 'ms', d.length, d.map((x) => x.rule + ' ' + x.message.slice(0, 200)))
