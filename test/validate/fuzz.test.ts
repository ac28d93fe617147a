/**
 * Fuzz: 10,000 mutated versions of the spec's schemas (deleted, duplicated, swapped and replaced
 * tokens, random bytes, truncation) through parse + validate in-process. Nothing may throw or hang,
 * and every failure must be a located message. The PRNG is seeded, so a failure is reproducible:
 * the assertion message carries the case number and the input.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {prng} from '../../bench/gen-dbml.mjs'
import {parseSchema} from '../../src/schema/parse.js'
import {renderDiagnostic, validateSchema} from '../../src/validate/index.js'

const CASES = 10_000
// FUZZ_SEED=n runs another reproducible set of cases.
const SEED = Number(process.env.FUZZ_SEED ?? 20260806)

const fixtures = ['initial', 'blog', 'ecommerce', 'hasura-permissions'].map((n) =>
  readFileSync(new URL(`../fixtures/${n}.dbml`, import.meta.url), 'utf8'),
)
/** Top-level blocks of every fixture: windows of them keep each case small and fast. */
const blocks = fixtures.flatMap((f) => f.split(/\n(?=(?:Table|Enum|Ref|TableGroup|\/\/)\b)/))
const TOKEN = /\s+|[A-Za-z_][\w]*|`[^`\n]*`|'[^'\n]*'|\d+|[^\s\w]/g
const vocabulary = [
  ...new Set(
    fixtures
      .join('\n')
      .match(TOKEN)!
      .filter((t) => t.trim() !== ''),
  ),
]
const ODD = [
  '\u0000',
  '\uFFFF',
  '\u{1F600}',
  '\r',
  '\t',
  '"',
  "'",
  '`',
  '[',
  ']',
  '{',
  '}',
  '(',
  ')',
  '<>',
  '-',
  '>',
  ':',
  ',',
  '.',
  '~',
  '\\',
  '#',
]

function mutate(rand: () => number, source: string): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  const tokens = source.match(TOKEN) ?? []
  const at = () => Math.floor(rand() * tokens.length)
  const steps = 1 + Math.floor(rand() * 3)
  for (let s = 0; s < steps && tokens.length > 0; s++) {
    const i = at()
    switch (Math.floor(rand() * 7)) {
      case 0:
        tokens.splice(i, 1)
        break // delete
      case 1:
        tokens.splice(i, 0, tokens[i])
        break // duplicate
      case 2: {
        const j = at()
        ;[tokens[i], tokens[j]] = [tokens[j], tokens[i]]
        break
      } // swap
      case 3:
        tokens[i] = pick(vocabulary)
        break // replace with another token of the schemas
      case 4:
        tokens.splice(i, 0, Array.from({length: 1 + Math.floor(rand() * 4)}, () => pick(ODD)).join(''))
        break
      case 5:
        tokens.splice(i, 0, String.fromCharCode(Math.floor(rand() * 0x250)))
        break // random byte/char
      default:
        tokens.length = i // truncate
    }
  }
  return tokens.join('')
}

function input(rand: () => number): string {
  if (rand() < 0.15) return mutate(rand, fixtures[Math.floor(rand() * fixtures.length)])
  const start = Math.floor(rand() * blocks.length)
  const window = blocks.slice(start, start + 1 + Math.floor(rand() * 3)).join('\n')
  return mutate(rand, window)
}

describe('fuzz: parse + validate on mutated spec schemas', function () {
  this.timeout(120_000)

  it(`${CASES} cases: no crash, no hang, every failure located`, async () => {
    const rand = prng(SEED)
    let failed = 0
    let slowest = 0
    const rules = new Set<string>()
    // CPU time, not wall time: other processes on a shared machine must not fail this test.
    const cpuStart = process.cpuUsage()
    for (let n = 0; n < CASES; n++) {
      const source = input(rand)
      const t = performance.now()
      let parsed
      let diagnostics
      try {
        parsed = await parseSchema(source, 'database/schema.dbml')
        diagnostics = validateSchema(parsed)
      } catch (error) {
        expect.fail(
          `case ${n} threw ${(error instanceof Error && error.stack) || String(error)}\ninput: ${JSON.stringify(source)}`,
        )
      }
      slowest = Math.max(slowest, performance.now() - t)
      const lines = source.split('\n').length
      for (const d of diagnostics) rules.add(d.rule)
      for (const d of diagnostics) {
        const where = `case ${n}: ${renderDiagnostic(d)}\ninput: ${JSON.stringify(source)}`
        expect(d.line, where).to.be.within(1, lines + 1)
        expect(d.column, where).to.be.at.least(1)
        expect(d.message, where).to.be.a('string').and.not.equal('')
        expect(d.message, where).to.not.match(/\n\s+at /) // no stack traces
        expect(d.rule, where).to.not.equal('internal') // a check crashed on this input
        expect(renderDiagnostic(d), where).to.match(/^database\/schema\.dbml:\d+:\d+: (error|warning): .+ \([a-z-]+\)/)
      }
      if (parsed.parseErrors.length > 0) {
        failed++
        expect(
          diagnostics.some((d) => d.severity === 'error'),
          `case ${n}: parse failed but no error reported`,
        ).to.equal(true)
      }
    }
    if (process.env.FUZZ_STATS) console.log({failed, slowest, rules: [...rules].sort()})
    const cpu = process.cpuUsage(cpuStart)
    const seconds = (cpu.user + cpu.system) / 1e6
    // Each case takes a few ms; one over 5 s (wall) would mean a pathological (hanging) input.
    expect(slowest, 'slowest case (ms)').to.be.below(5000)
    expect(seconds, 'whole run (CPU s)').to.be.below(60)
    expect(failed, 'mutations that broke the schema').to.be.greaterThan(CASES / 10)
  })
})
