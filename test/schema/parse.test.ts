import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import type {TableModel} from '../../src/schema/model.js'
import {parseSchema} from '../../src/schema/parse.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
const table = (tables: TableModel[], name: string) => tables.find((t) => t.name === name)!
const model = async (dbml: string) => {
  const parsed = await parseSchema(dbml, 'schema.dbml')
  expect(parsed.parseErrors).to.deep.equal([])
  return parsed.model
}

describe('parseSchema', () => {
  describe('fixtures', () => {
    it('first schema: 3 tables, 3 foreign keys, the table group', async () => {
      const m = await model(fixture('initial.dbml'))
      expect(m.tables.map((t) => t.name)).to.deep.equal(['comments', 'posts', 'users'])
      expect(m.tables.flatMap((t) => t.foreignKeys.map((f) => f.name))).to.deep.equal([
        'comments_author_id_fkey',
        'comments_post_id_fkey',
        'posts_author_id_fkey',
      ])
      expect(m.tableGroups).to.deep.equal([
        {name: 'blog_tables', tables: ['public.users', 'public.posts', 'public.comments'], loc: {line: 35, column: 1}},
      ])
    })

    it('blog: 6 tables, the user_role enum, composite pk on post_tags, one unique per column', async () => {
      const m = await model(fixture('blog.dbml'))
      expect(m.tables.map((t) => t.name)).to.deep.equal([
        'categories',
        'comments',
        'post_tags',
        'posts',
        'tags',
        'users',
      ])
      expect(m.enums).to.deep.equal([
        {
          schema: 'public',
          name: 'user_role',
          values: ['user', 'author', 'editor', 'admin'],
          loc: {line: 112, column: 1},
        },
      ])
      expect(table(m.tables, 'post_tags').primaryKey).to.deep.equal({
        name: 'post_tags_pkey',
        columns: ['post_id', 'tag_id'],
        loc: {line: 87, column: 5},
      })
      const users = table(m.tables, 'users')
      // email/username are [unique] and also (email) [unique] in Indexes: one constraint each, no unique index.
      expect(users.uniques.map((u) => u.name)).to.deep.equal(['users_email_key', 'users_username_key'])
      expect(users.indexes.map((i) => [i.name, i.unique])).to.deep.equal([
        ['users_created_at_idx', false],
        ['users_is_active_idx', false],
      ])
      expect(table(m.tables, 'posts').indexes.map((i) => i.name)).to.include('posts_is_published_published_at_idx')
      expect(users.columns.find((c) => c.name === 'role')!.default).to.deep.equal({kind: 'string', value: 'user'})
      expect(m.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).to.equal(7)
      expect(m.tableGroups.map((g) => g.name)).to.deep.equal(['content_management', 'user_management'])
    })

    it('e-commerce: parse errors naming brands (20:25) and customers (39:28), and a partial model without those refs', async () => {
      const parsed = await parseSchema(fixture('ecommerce.dbml'), 'schema.dbml')
      expect(parsed.parseErrors.map((e) => [e.line, e.column, e.code, e.message])).to.deep.equal([
        [20, 25, 4000, "Table 'brands' does not exist in Schema 'public'"],
        [39, 28, 4000, "Table 'customers' does not exist in Schema 'public'"],
      ])
      expect(parsed.partial).to.equal(true)
      expect(parsed.model.tables.length).to.be.greaterThan(0)
      const targets = parsed.model.tables.flatMap((t) => t.foreignKeys.map((f) => f.refTable))
      expect(targets).to.not.include.members(['brands', 'customers'])
    })

    it('keeps the source, so // hasura: comments stay readable', async () => {
      const parsed = await parseSchema(fixture('hasura-permissions.dbml'), 'schema.dbml')
      expect(parsed.source).to.contain('// hasura:permissions user:select[id,email] admin:*')
      expect(parsed.model.tables[0].loc).to.deep.equal({line: 1, column: 1})
    })

    it('the model is plain JSON: it survives a round trip unchanged', async () => {
      const m = await model(fixture('blog.dbml'))
      expect(JSON.parse(JSON.stringify(m))).to.deep.equal(m)
    })
  })

  describe('references', () => {
    const base = 'Table users {\n  id uuid [pk]\n}\n'
    it('puts the FK on the many side whatever the endpoint order (inline vs long form)', async () => {
      const inline = await model(base + 'Table posts {\n  author_id uuid [ref: > users.id]\n}\n')
      const long = await model(base + 'Table posts {\n  author_id uuid\n}\nRef: posts.author_id > users.id\n')
      const reversed = await model(base + 'Table posts {\n  author_id uuid\n}\nRef: users.id < posts.author_id\n')
      for (const m of [inline, long, reversed]) {
        const [fk] = table(m.tables, 'posts').foreignKeys
        expect(fk).to.include({name: 'posts_author_id_fkey', refTable: 'users', relation: 'many-to-one'})
        expect(table(m.tables, 'users').foreignKeys).to.deep.equal([])
      }
    })

    it('one-to-one: the FK goes on the side that is not the referenced key, in either order', async () => {
      for (const ref of ['Ref: profiles.user_id - users.id', 'Ref: users.id - profiles.user_id']) {
        const m = await model(base + `Table profiles {\n  user_id uuid\n}\n${ref}\n`)
        expect(table(m.tables, 'profiles').foreignKeys.map((f) => [f.refTable, f.relation])).to.deep.equal([
          ['users', 'one-to-one'],
        ])
        expect(table(m.tables, 'users').foreignKeys).to.deep.equal([])
      }
    })

    it('keeps ON DELETE / ON UPDATE and a ref name', async () => {
      const m = await model(
        base +
          'Table posts {\n  author_id uuid\n}\nRef author: posts.author_id > users.id [delete: cascade, update: set null]\n',
      )
      expect(table(m.tables, 'posts').foreignKeys[0]).to.include({
        name: 'author',
        onDelete: 'CASCADE',
        onUpdate: 'SET NULL',
      })
    })

    it('<> generates the junction table as dbml does', async () => {
      const m = await model(
        'Table posts {\n  id uuid [pk]\n}\nTable tags {\n  id int [pk]\n}\nRef: posts.id <> tags.id\n',
      )
      const j = table(m.tables, 'posts_tags')
      expect(j.generated).to.equal('many-to-many')
      expect(j.columns.map((c) => [c.name, c.type.name, c.notNull])).to.deep.equal([
        ['posts_id', 'uuid', true],
        ['tags_id', 'int', true],
      ])
      expect(j.primaryKey).to.include({name: 'posts_tags_pkey'})
      expect(j.primaryKey!.columns).to.deep.equal(['posts_id', 'tags_id'])
      expect(j.foreignKeys.map((f) => [f.name, f.refTable, f.refColumns[0]])).to.deep.equal([
        ['posts_tags_posts_id_fkey', 'posts', 'id'],
        ['posts_tags_tags_id_fkey', 'tags', 'id'],
      ])
    })
  })

  describe('columns and defaults', () => {
    it('maps default null, true/false strings, numbers, expressions and unescaped strings', async () => {
      const m = await model(
        "Table t {\n  a int [default: null]\n  b boolean [default: true]\n  c boolean [default: false]\n  d int [default: -1]\n  e text [default: 'O\\'Reilly']\n  f timestamptz [default: `now()`]\n}\n",
      )
      expect(m.tables[0].columns.map((c) => c.default)).to.deep.equal([
        {kind: 'null'},
        {kind: 'boolean', value: true},
        {kind: 'boolean', value: false},
        {kind: 'number', value: '-1'},
        {kind: 'string', value: "O'Reilly"},
        {kind: 'expression', sql: 'now()'},
      ])
    })

    it('splits type names, arguments and arrays; keeps enum schema and notes', async () => {
      const m = await model(
        "Enum auth.role {\n  a\n}\nTable auth.u {\n  a varchar(255) [note: 'mail']\n  b numeric(10, 2)\n  c text[]\n  d auth.role\n  e int [pk, increment]\n}\n",
      )
      const cols = m.tables[0].columns
      expect(cols.map((c) => c.type)).to.deep.equal([
        {name: 'varchar', args: ['255'], arrayDims: 0},
        {name: 'numeric', args: ['10', '2'], arrayDims: 0},
        {name: 'text', args: [], arrayDims: 1},
        {name: 'role', schema: 'auth', args: [], arrayDims: 0},
        {name: 'int', args: [], arrayDims: 0},
      ])
      expect(cols[0].note).to.equal('mail')
      expect(cols[4]).to.include({identity: true, notNull: true})
      expect(m.schemas).to.deep.equal(['auth', 'public'])
      expect(m.enums[0]).to.include({schema: 'auth', name: 'role'})
    })

    it('expands a TablePartial where it is injected; own fields win', async () => {
      const m = await model(
        'TablePartial ts {\n  created_at timestamptz\n  id bigint\n}\nTable t {\n  id int [pk]\n  ~ts\n  name text\n}\n',
      )
      expect(m.tables[0].columns.map((c) => `${c.name}:${c.type.name}`)).to.deep.equal([
        'id:int',
        'created_at:timestamptz',
        'name:text',
      ])
    })
  })

  describe('keys, indexes and checks', () => {
    it('names indexes, methods and expressions as PostgreSQL does', async () => {
      const m = await model(
        "Table docs {\n  id int [pk]\n  title text\n  body jsonb\n  Indexes {\n    `lower(title)`\n    body [type: gin]\n    title [type: hash, name: 'by_title']\n    (id, title) [unique]\n  }\n}\n",
      )
      expect(m.tables[0].indexes.map((i) => [i.name, i.method ?? 'btree', i.parts])).to.deep.equal([
        ['by_title', 'hash', [{kind: 'column', name: 'title'}]],
        ['docs_body_idx', 'gin', [{kind: 'column', name: 'body'}]],
        ['docs_lower_idx', 'btree', [{kind: 'expression', sql: 'lower(title)'}]],
      ])
      expect(m.tables[0].uniques.map((u) => u.name)).to.deep.equal(['docs_id_title_key'])
    })

    it('names column and table checks, keeping explicit names', async () => {
      const m = await model(
        "Table t {\n  age int [check: `age >= 0`]\n  checks {\n    `age < 200` [name: 'age_max']\n    `age <> 13`\n  }\n}\n",
      )
      expect(m.tables[0].checks.map((c) => [c.name, c.expression])).to.deep.equal([
        ['age_max', 'age < 200'],
        ['t_age_check', 'age >= 0'],
        ['t_check', 'age <> 13'],
      ])
    })

    it('several [pk] columns make one composite key; the model notes both pk declarations when there are two', async () => {
      const parsed = await parseSchema(
        'Table t {\n  a int [pk]\n  b int [pk]\n  c int\n  Indexes {\n    c [pk]\n  }\n}\n',
        's.dbml',
      )
      expect(parsed.model.tables[0].primaryKey!.columns).to.deep.equal(['a', 'b'])
      expect(parsed.declared.primaryKeys.map((p) => p.columns)).to.deep.equal([['a', 'b'], ['c']])
    })

    it('truncates generated names over 63 bytes deterministically and keeps them distinct', async () => {
      const long = 'a_really_long_table_name_that_goes_on_and_on'
      const m = await model(
        `Table ${long} {\n  first_quite_long_column_name int\n  second_quite_long_column_name int\n  Indexes {\n    first_quite_long_column_name\n    second_quite_long_column_name\n  }\n}\n`,
      )
      const names = m.tables[0].indexes.map((i) => i.name)
      expect(names.every((n) => Buffer.byteLength(n) <= 63)).to.equal(true)
      expect(new Set(names).size).to.equal(2)
      expect(
        (
          await model(
            `Table ${long} {\n  first_quite_long_column_name int\n  second_quite_long_column_name int\n  Indexes {\n    first_quite_long_column_name\n    second_quite_long_column_name\n  }\n}\n`,
          )
        ).tables[0].indexes.map((i) => i.name),
      ).to.deep.equal(names)
    })
  })

  it('never throws on garbage: located parse errors instead', async () => {
    const parsed = await parseSchema('Table {{{ ]] `', 'schema.dbml')
    expect(parsed.parseErrors.length).to.be.greaterThan(0)
    for (const e of parsed.parseErrors) expect(e.line).to.be.at.least(1)
  })

  it('loads @dbml/parse lazily: no static import in the compiled module', () => {
    const compiled = readFileSync(new URL('../../dist/schema/parse.js', import.meta.url), 'utf8')
    expect(compiled).to.not.match(/^import[^;]*['"]@dbml\/parse['"]/m)
    expect(compiled).to.contain("import('@dbml/parse')")
  })
})
