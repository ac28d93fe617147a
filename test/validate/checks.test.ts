import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {parseSchema} from '../../src/schema/parse.js'
import {renderDiagnostic, validateSchema, SOLUTIONS} from '../../src/validate/index.js'
import {validateSchemaDetailed} from '../../src/validate/index.js'
import {check, rule} from './helpers.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
const users = 'Table users {\n  id uuid [pk]\n  email varchar(255) [unique]\n}\n'

describe('validateSchema', () => {
  it('accepts the spec schemas (first, blog) without any diagnostic', async () => {
    expect(await check(fixture('initial.dbml'))).to.deep.equal([])
    expect(await check(fixture('blog.dbml'))).to.deep.equal([])
  })

  it('names both missing tables of the e-commerce schema with line and column', async () => {
    const out = (await check(fixture('ecommerce.dbml'))).map(renderDiagnostic)
    expect(out).to.deep.equal([
      "database/schema.dbml:20:25: error: missing foreign-key target: Table 'brands' does not exist in Schema 'public' (fk-target)",
      "database/schema.dbml:39:28: error: missing foreign-key target: Table 'customers' does not exist in Schema 'public' (fk-target)",
    ])
  })

  describe('syntax (from the parser)', () => {
    it('reports a syntax error located, with no stack', async () => {
      const [d, ...rest] = await rule('Table users {\n  id uuid [pk\n}\n', 'syntax')
      expect(d.line).to.be.oneOf([2, 3])
      expect(d.severity).to.equal('error')
      expect(d.message).to.not.match(/at .*\.js/)
      expect(rest.every((r) => r.line >= 1)).to.equal(true)
    })
    it('gives "Invalid reference syntax" with the spec solution for a malformed ref', async () => {
      const [d] = await rule(users + 'Table posts {\n  author_id uuid [ref: users.id]\n}\n', 'invalid-reference')
      expect(d.message).to.match(/^Invalid reference syntax/)
      expect(d.hint).to.equal(SOLUTIONS.reference)
      expect([d.line, d.column]).to.deep.equal([6, 24])
      expect(renderDiagnostic(d)).to.contain('\n  Solution: Use correct ref syntax: [ref: > table.column]')
    })
    it('reports a ref to a missing column as a missing foreign-key target', async () => {
      const [d] = await rule(users + 'Table posts {\n  author_id uuid [ref: > users.nope]\n}\n', 'fk-target')
      expect(d.message).to.contain("'nope'")
      expect(d.line).to.equal(6)
    })
  })

  describe('unknown-type', () => {
    it('flags a misspelt type with did-you-mean and the spec solution', async () => {
      const [d] = await rule('Table t {\n  id int [pk]\n  name varchr(20)\n}\n', 'unknown-type')
      expect(d.message).to.equal("Unknown data type 'varchr' for column t.name: did you mean 'varchar'?")
      expect(d.hint).to.equal(SOLUTIONS.type)
      expect([d.line, d.column]).to.deep.equal([3, 3])
    })
    it('accepts aliases, arrays, multi-word types and enums of the schema', async () => {
      const dbml =
        'Enum mood {\n  ok\n  sad\n}\nTable t {\n  a int4\n  b "character varying"(10)\n  c "timestamp with time zone"\n  d text[]\n  e mood\n  f decimal(10,2)\n  g float8\n}\n'
      expect(await rule(dbml, 'unknown-type')).to.deep.equal([])
    })
    it('flags an undefined enum, suggesting the close one', async () => {
      const [d] = await rule('Enum user_role {\n  a\n}\nTable t {\n  r user_rol\n}\n', 'unknown-type')
      expect(d.message).to.contain("did you mean 'user_role'")
    })
    it('warns that an extension type needs its extension', async () => {
      const [d] = await check('Table t {\n  email citext\n}\n')
      expect(d).to.include({rule: 'extension-type', severity: 'warning'})
      expect(d.message).to.contain('citext extension')
    })
    it('rejects arguments a type does not take, and out-of-range ones', async () => {
      const out = await rule(
        'Table t {\n  a int(11)\n  b varchar(0)\n  c numeric(10,2)\n  d timestamp(9)\n  e varchar(255)\n  f numeric(1,2,3)\n}\n',
        'type-args',
      )
      expect(out.map((d) => `${d.line}: ${d.message}`)).to.deep.equal([
        '2: column t.a: type integer takes no arguments',
        "3: column t.b: '0' is not a valid argument for character varying (1–10485760)",
        "5: column t.d: '9' is not a valid argument for timestamp without time zone (0–6)",
        '7: column t.f: type numeric takes 1 or 2 arguments, not 3',
      ])
    })
    it('rejects [increment] on a non-integer type', async () => {
      expect(await rule('Table t {\n  id uuid [pk, increment]\n}\n', 'identity-type')).to.have.length(1)
    })
  })

  describe('references', () => {
    it('flags a foreign key whose type differs from the referenced column', async () => {
      const [d] = await rule(users + 'Table posts {\n  author_id int [ref: > users.id]\n}\n', 'fk-type')
      expect(d.message).to.equal('foreign key posts.author_id is integer but references users.id of type uuid')
      expect(d.line).to.equal(6)
    })
    it('accepts integer widths and text/varchar mixes', async () => {
      const dbml =
        'Table a {\n  id bigint [pk]\n  code text [unique]\n}\nTable b {\n  a_id int [ref: > a.id]\n  code varchar(10) [ref: > a.code]\n}\n'
      expect(await rule(dbml, 'fk-type')).to.deep.equal([])
    })
    it('flags a foreign key to a column that is neither primary key nor unique', async () => {
      const [d] = await rule(
        'Table users {\n  id uuid [pk]\n  email text\n}\nTable p {\n  e text [ref: > users.email]\n}\n',
        'fk-target-key',
      )
      expect(d.message).to.contain('users.email, which is neither a primary key nor unique')
    })
    it('accepts a reference to a unique index or composite key', async () => {
      const dbml =
        'Table a {\n  x int\n  y int\n  Indexes {\n    (x, y) [pk]\n  }\n}\nTable b {\n  x int\n  y int\n}\nRef: b.(x, y) > a.(y, x)\n'
      expect(await rule(dbml, 'fk-target-key')).to.deep.equal([])
    })
  })

  describe('default-type', () => {
    const defaults = async (column: string, extra = '') =>
      (await rule(`${extra}Table t {\n  ${column}\n}\n`, 'default-type')).map((d) => d.message)
    it("rejects int [default: 'abc'] and out-of-range numbers", async () => {
      expect(await defaults("n int [default: 'abc']")).to.deep.equal(["default 'abc' of t.n: 'abc' is not an integer"])
      expect(await defaults('n smallint [default: 40000]')).to.deep.equal([
        'default 40000 of t.n: 40000 is out of range for smallint',
      ])
    })
    it('rejects an enum default that is not one of its values', async () => {
      const [m] = await defaults("s status [default: 'gone']", 'Enum status {\n  active\n  archived\n}\n')
      expect(m).to.equal("default 'gone' of t.s: 'gone' is not a value of enum status (active, archived)")
    })
    it('rejects a boolean default on a text column, and a number on a boolean', async () => {
      expect(await defaults('s text [default: true]')).to.have.length(1)
      expect(await defaults('b boolean [default: 1]')).to.have.length(1)
    })
    it('rejects too-long strings, bad uuids and bad JSON', async () => {
      expect(await defaults("c varchar(3) [default: 'EURO']")).to.have.length(1)
      expect(await defaults("u uuid [default: 'nope']")).to.have.length(1)
      expect(await defaults("j jsonb [default: '{bad']")).to.have.length(1)
    })
    it('accepts fitting defaults, expressions and null', async () => {
      const ok = [
        "a int [default: '12']",
        'b numeric [default: 1.5]',
        "c boolean [default: 'yes']",
        "d varchar(3) [default: 'USD']",
        'e timestamp [default: `now()`]',
        'f text [default: null]',
        "g jsonb [default: '{}']",
        "h text[] [default: '{}']",
      ]
      for (const column of ok) expect(await defaults(column), column).to.deep.equal([])
    })
    it('warns about default null on a NOT NULL column', async () => {
      const [d] = await rule('Table t {\n  a int [not null, default: null]\n}\n', 'default-type')
      expect(d.severity).to.equal('warning')
    })
  })

  describe('constraint conflicts', () => {
    it('rejects [pk, null]', async () => {
      const [d] = await rule('Table t {\n  id int [pk, null]\n}\n', 'pk-null')
      expect([d.line, d.message]).to.deep.equal([
        2,
        'column t.id is [null] but part of the primary key, which is always NOT NULL',
      ])
    })
    it('rejects two primary keys', async () => {
      const [d] = await rule('Table t {\n  id int [pk]\n  x int\n  Indexes {\n    (x) [pk]\n  }\n}\n', 'multiple-pk')
      expect(d.line).to.equal(5)
      expect(d.message).to.contain('line 2')
    })
    it('rejects duplicate indexes', async () => {
      const [d] = await rule(
        'Table t {\n  a int\n  Indexes {\n    a\n    (a) [name: "other"]\n  }\n}\n',
        'duplicate-index',
      )
      expect(d.line).to.equal(5)
    })
    it('rejects an index on a missing column', async () => {
      expect(await rule('Table t {\n  a int\n  Indexes {\n    (nope)\n  }\n}\n', 'syntax')).to.have.length(1)
    })
    it('rejects identifiers longer than 63 bytes', async () => {
      const long = 'x'.repeat(64)
      const [d] = await rule(`Table ${long} {\n  id int\n}\n`, 'identifier-length')
      expect(d.message).to.contain('64 bytes')
    })
    it('rejects names that collide after lower-casing', async () => {
      const out = await rule('Table Users {\n  id int\n  ID int\n}\nTable users {\n  id int\n}\n', 'name-collision')
      expect(out.map((d) => d.line)).to.deep.equal([3, 5])
    })
    it('rejects an enum named like a table', async () => {
      expect(await rule('Enum users {\n  a\n}\nTable users {\n  id int\n}\n', 'name-collision')).to.have.length(1)
    })
  })

  describe('circular-reference', () => {
    const cycle = (nullable: string) =>
      `Table a {\n  id int [pk]\n  b_id int [not null, ref: > b.id]\n}\nTable b {\n  id int [pk]\n  a_id int [${nullable}ref: > a.id]\n}\n`
    it('rejects a cycle of NOT NULL foreign keys with the spec solution', async () => {
      const [d] = await rule(cycle('not null, '), 'circular-reference')
      expect(d.message).to.match(/^Circular reference detected: a → b → a/)
      expect(d.hint).to.contain(SOLUTIONS.circular)
    })
    it('accepts a cycle with a nullable key and self-references, noting them for --verbose', async () => {
      const parsed = await parseSchema(
        cycle('') + 'Table c {\n  id int [pk]\n  parent_id int [not null, ref: > c.id]\n}\n',
        'x.dbml',
      )
      const report = validateSchemaDetailed(parsed)
      expect(report.diagnostics).to.deep.equal([])
      expect(report.notes.join('\n'))
        .to.match(/cycle a → b → a is fine/)
        .and.match(/self-reference c\.parent_id/)
    })
  })

  describe('junction-collision', () => {
    it('rejects a <> ref whose junction table name is taken', async () => {
      const dbml =
        'Table a {\n  id int [pk]\n}\nTable b {\n  id int [pk]\n}\nTable a_b {\n  x int\n}\nRef: a.id <> b.id\n'
      const [d] = await rule(dbml, 'junction-collision')
      expect([d.line, d.message]).to.deep.equal([
        10,
        "many-to-many ref a <> b generates junction table 'a_b', but a table of that name already exists (line 7)",
      ])
    })
  })

  it('reports every problem at once, sorted by position', async () => {
    const dbml = "Table t {\n  id int [pk, null]\n  n varchr\n  k int [default: 'x']\n}\n"
    const rules = (await check(dbml)).map((d) => `${d.line}:${d.rule}`)
    expect(rules).to.deep.equal(['2:pk-null', '3:unknown-type', '4:default-type'])
  })

  it('reports every problem at once even when a ref names a missing column (the parser then has no model)', async () => {
    const long = 'a'.repeat(64)
    const dbml = `Table users {\n  id int [pk]\n  kind widget_type\n  ${long} int\n  nick text [pk, null]\n}\n\nTable posts {\n  id int [pk]\n  author_id int [ref: > users.nosuch]\n}\n`
    const rules = (await check(dbml)).map((d) => `${d.line}:${d.column}:${d.rule}`)
    expect(rules).to.include.members(['3:3:unknown-type', '4:3:identifier-length', '5:3:pk-null', '10:31:fk-target'])
  })

  it('keeps checking the rest when refs in Ref statements and Ref blocks point nowhere', async () => {
    const dbml =
      'Table users {\n  id int [pk]\n  kind widget_type\n}\nTable posts {\n  id int [pk, ref: > users.nope, not null]\n  a int\n}\nRef: posts.a > users.zzz\nRef named {\n  posts.a > nosuch.id\n}\n'
    const rules = (await check(dbml)).map((d) => `${d.line}:${d.rule}`)
    expect(rules[0]).to.equal('3:unknown-type')
    expect(rules.slice(1).map((r) => r.split(':')[0])).to.deep.equal(['6', '9', '11'])
  })

  it('keeps quoted enum names with arrays ("user-role"[]) while refusing junk after a type', async () => {
    const dbml = 'Enum "user-role" {\n  a\n  b\n}\nTable t {\n  id int [pk]\n  r "user-role"[]\n  s "user-role"\n}\n'
    expect(await check(dbml)).to.deep.equal([])
  })

  it('refuses quoted types with anything after the type (the rest was silently dropped)', async () => {
    const dbml =
      'Table t {\n  id int [pk]\n  a "int[] junk"\n  b "varchar(10) not null"\n  c "varchar(10)); DROP TABLE x; --"\n  d "numeric(10, 2)[]"\n  e "timestamp(3) with time zone"\n}\n'
    const out = (await check(dbml)).map((d) => `${d.line}:${d.rule}:${d.message}`)
    expect(out).to.deep.equal([
      "3:unknown-type:Unknown data type 'int[] junk' for column t.a",
      "4:unknown-type:Unknown data type 'varchar(10) not null' for column t.b",
      "5:unknown-type:Unknown data type 'varchar(10)); DROP TABLE x; --' for column t.c",
    ])
  })

  it('never throws: a parse failure is diagnostics, not an exception', async () => {
    const parsed = await parseSchema('\u0000}{]]Table', 'x.dbml')
    const out = validateSchema(parsed)
    expect(out.length).to.be.greaterThan(0)
    expect(out.every((d) => d.line >= 1 && d.column >= 1)).to.equal(true)
  })
})
