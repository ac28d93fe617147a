/**
 * Differential test of the fast path (src/schema/fast-parse.ts) against @dbml/parse: whatever the
 * fast path accepts, @dbml/parse must accept too and the model must be identical (locations
 * included). Inputs: the fixtures, generated schemas, feature samples and seeded mutations.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {generate, prng} from '../../bench/gen-dbml.mjs'
import {fastParse} from '../../src/schema/fast-parse.js'
import {parseSchema} from '../../src/schema/parse.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}.dbml`, import.meta.url), 'utf8')

async function same(source: string, label: string): Promise<boolean> {
  const accepted = fastParse(source) !== undefined
  if (!accepted) return false
  const fast = await parseSchema(source, 's.dbml')
  const slow = await parseSchema(source, 's.dbml', {engine: 'dbml'})
  const where = `${label}\ninput: ${JSON.stringify(source)}`
  expect(slow.parseErrors, `@dbml/parse rejects what the fast path accepted: ${where}`).to.deep.equal([])
  expect(fast.model, where).to.deep.equal(slow.model)
  expect(fast.declared, where).to.deep.equal(slow.declared)
  return true
}

const FEATURES = [
  'Table "my t" [note: \'tn\'] {\n  "id" int [pk, increment, note: \'x\']\n  a numeric(10, 2) [default: -1.5]\n  b "double precision"\n  c varchar[] [not null, default: \'a"b\']\n  d auth.role\n  e int [ref: < "my t".id]\n  f timestamp(6) [default: `now()`, unique]\n  Note: \'body note\'\n  Indexes {\n    a\n    (a, `b + 1`) [name: \'ix\', type: btree, unique, note: \'n\']\n  }\n}\nEnum auth.role {\n  a [note: \'q\']\n  "b c"\n}\nRef R: "my t".e - "my t".a [delete: set null]\nTableGroup g {\n  "my t"\n}\n',
  'Table a {\n  id int [pk, null]\n  id2 int [pk]\n  x int\n  Indexes {\n    (id)\n    (x) [pk]\n    `lower(zz)`\n  }\n}\nTable A {\n  id int\n}\nTable b {\n  a_id int [ref: > a.x]\n  Id int\n  id int\n}\nRef: b.a_id <> a.id\n',
  'Table users {\n  id uuid [pk]\n}\nTable profiles {\n  user_id uuid [unique, ref: - users.id]\n  other uuid\n}\nRef: users.id - profiles.other [update: cascade, delete: no action]\n',
  "table lower {\n  x int [primary key, default: 'a', check: `x > 0`]\n  y boolean [default: false, not null]\n  z text [default: null]\n}\n",
  'Table auth.users {\n  id int [pk]\n}\nTable posts {\n  uid int [ref: > auth.users.id]\n  v int\n}\nRef: posts.v > auth.users.id\n',
]

const OUTSIDE = [
  'Table users as U {\n  id int [pk]\n}\n',
  'TablePartial ts {\n  created_at timestamp\n}\nTable t {\n  id int\n  ~ts\n}\n',
  "Project p {\n  database_type: 'PostgreSQL'\n}\nTable t {\n  id int\n}\n",
  "Table t {\n  name text [default: 'O\\'Reilly']\n}\n",
  'Table t {\n  a int\n  b int\n}\nRef: t.(a, b) > t.(b, a)\n',
  'Table t {\n  id int [pk]\n  p int [ref: > missing.id]\n}\n',
]

describe('fast DBML path vs @dbml/parse', () => {
  it('accepts the spec schemas (except e-commerce, which has errors) and gives the same model', async () => {
    for (const name of ['initial', 'blog', 'hasura-permissions'])
      expect(await same(fixture(name), name), name).to.equal(true)
    expect(fastParse(fixture('ecommerce'))).to.equal(undefined)
  })

  it('gives the same model on a generated 300-table schema', async () => {
    expect(await same(generate(300, 7), 'generated')).to.equal(true)
  })

  it('gives the same model on feature samples (notes, enums with schema, 1-1, <>, composite keys, settings)', async () => {
    for (const [i, source] of FEATURES.entries())
      expect(await same(source, `feature ${i}`), `feature ${i}`).to.equal(true)
  })

  it('leaves constructs outside its subset, and every error, to @dbml/parse', async () => {
    for (const source of OUTSIDE) {
      expect(fastParse(source), source).to.equal(undefined)
      const parsed = await parseSchema(source, 's.dbml')
      expect(parsed.parseErrors.length + parsed.model.tables.length, source).to.be.greaterThan(0)
    }
  })

  it('on 3,000 seeded mutations, anything it accepts matches @dbml/parse exactly', async function () {
    this.timeout(120_000)
    const rand = prng(4242)
    const sources = [fixture('initial'), fixture('blog'), fixture('hasura-permissions'), ...FEATURES]
    const TOKEN = /\s+|[A-Za-z_][\w]*|`[^`\n]*`|'[^'\n]*'|"[^"\n]*"|\d+|[^\s\w]/g
    let accepted = 0
    for (let n = 0; n < 3000; n++) {
      const tokens = sources[Math.floor(rand() * sources.length)].match(TOKEN)!
      const i = Math.floor(rand() * tokens.length)
      const j = Math.floor(rand() * tokens.length)
      const op = Math.floor(rand() * 4)
      if (op === 0) tokens.splice(i, 1)
      else if (op === 1) tokens.splice(i, 0, tokens[j])
      else if (op === 2) [tokens[i], tokens[j]] = [tokens[j], tokens[i]]
      else tokens.splice(i, 1, tokens[j])
      if (await same(tokens.join(''), `mutation ${n}`)) accepted++
    }
    // Enough accepted cases for the comparison to mean something.
    expect(accepted).to.be.greaterThan(300)
  })
})
