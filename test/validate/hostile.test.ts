import {expect} from 'chai'
import {parseSchema} from '../../src/schema/parse.js'
import {MAX_SYNTAX_ERRORS, PROBE_CHARS} from '../../src/schema/guard.js'
import {validateSchema} from '../../src/validate/index.js'
import {check} from './helpers.js'

/** Deterministic noise from the characters DBML uses. */
function noise(chars: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz{}[]()<>:;,."\'`\n \t#/*-+=0123456789'
  let seed = 7
  const out = new Array<string>(chars)
  for (let i = 0; i < chars; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    out[i] = alphabet[(seed >>> 12) % alphabet.length]
  }
  return out.join('')
}

const internal = (messages: string[]) => messages.filter((m) => /internal error|Maximum call stack/.test(m))

// Speed and memory on 10 MB are measured by bench/hostile.mjs; these check the answers.
describe('validate: big or hostile input', () => {
  it('names the first byte that is not UTF-8 text (binary data), with its line and column', async () => {
    const out = await check('Table t {\n  id int [pk]\n  x te\uFFFDxt\n}\n' + 'y'.repeat(1000))
    expect(out).to.have.length(1)
    expect([out[0].line, out[0].column, out[0].message]).to.deep.equal([
      3,
      7,
      'bytes that are not valid UTF-8: a DBML schema is UTF-8 text',
    ])
    const nul = await check('Table t {\n  id int [pk]\u0000\n}\n')
    expect(nul[0].message).to.match(/^the control character U\+0000/)
    expect([nul[0].line, nul[0].column]).to.deep.equal([2, 14])
  })

  it('stops at the first errors of a large file of noise: real positions, a bounded list, no stack overflow', async () => {
    const out = await check(noise(PROBE_CHARS + 200_000))
    const messages = out.map((d) => d.message)
    expect(internal(messages)).to.deep.equal([])
    expect(out.length).to.be.within(1, MAX_SYNTAX_ERRORS + 2)
    expect(out[0].rule).to.equal('syntax')
    expect(out.some((d) => d.line > 1 || d.column > 1)).to.equal(true)
    expect(messages.at(-1)).to.match(/^stopped checking after line \d+: fix the errors above first$/)
  })

  it('reports an element that never closes in a large file at its opening brace', async () => {
    const out = await check('Table t {\n  id int [pk]\n}\nTable u {\n' + '  x int\n'.repeat(PROBE_CHARS / 8 + 10))
    expect(out.map((d) => [d.line, d.column, d.rule])).to.deep.equal([[4, 9, 'syntax']])
    expect(out[0].message).to.match(/is not closed within 1,000,000 characters/)
  })

  it('lists at most the first 200 parser errors, then how many more there are', async () => {
    const out = await check('Table t {\n  id int [pk]\n}\n' + 'x: y\n'.repeat(1000))
    expect(out.length).to.equal(MAX_SYNTAX_ERRORS + 1)
    expect(out.at(-1)!.message).to.match(/^[\d,]+ more errors not shown: fix these first$/)
  })

  it('finds a NOT NULL foreign-key cycle through 20,000 tables (iteratively) and names it in one line', async () => {
    const n = 20_000
    const parts: string[] = []
    for (let i = 0; i < n; i++)
      parts.push(`Table t${i} {\n  id int [pk]\n  next_id int [not null, ref: > t${(i + 1) % n}.id]\n}\n`)
    const out = validateSchema(await parseSchema(parts.join(''), 'database/schema.dbml'))
    expect(internal(out.map((d) => d.message))).to.deep.equal([])
    expect(out.map((d) => [d.line, d.rule])).to.deep.equal([[3, 'circular-reference']])
    expect(out[0].message).to.equal(
      'Circular reference detected: t0 → t1 → t2 → t3 → t4 → … 19,991 more … → t19996 → t19997 → t19998 → t19999 → t0; every foreign key in it is NOT NULL, so no row can be inserted first',
    )
  })
})
