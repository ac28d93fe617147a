/**
 * The schema pairs A → B of the diff round trips (test/diff/roundtrip.test.ts), shared with the
 * introspection round trips (test/introspect/roundtrip.test.ts), which pull each B side back.
 */
import {expect} from 'chai'
import type {SchemaModel, TableModel} from '../../src/schema/model.js'
import {blogModel, initialModel} from './fixtures.js'
import {bool, col, enumType, expr, model, num, str, table, type} from './model.js'
import type {Pair} from './roundtrip.js'

const empty = (): SchemaModel => model([])

/** A copy of `m` with table `name` changed by `fn` (which may return a new table). */
function edit(m: SchemaModel, name: string, fn: (t: TableModel) => TableModel | void): SchemaModel {
  const copy = structuredClone(m)
  const i = copy.tables.findIndex((t) => t.name === name)
  if (i < 0) throw new Error(`no table ${name}`)
  copy.tables[i] = fn(copy.tables[i]) ?? copy.tables[i]
  return copy
}

function change(m: SchemaModel, fn: (m: SchemaModel) => void): SchemaModel {
  const copy = structuredClone(m)
  fn(copy)
  return copy
}

const column = (t: TableModel, name: string) => {
  const c = t.columns.find((x) => x.name === name)
  if (!c) throw new Error(`no column ${name}`)
  return c
}

const seedUsers = `INSERT INTO users (email, password_hash, first_name, last_name)
  VALUES ('ada@example.com', 'x', 'Ada', 'Lovelace'), ('alan@example.com', 'y', 'Alan', 'Turing')`

const profiles = table('profiles', [
  col('id', 'uuid', {pk: true, default: expr('gen_random_uuid()')}),
  col('user_id', 'uuid', {notNull: true, unique: true, ref: {table: 'users', onDelete: 'CASCADE'}}),
  col('bio', 'text'),
  col('website', 'varchar(255)'),
])

const initial = initialModel()
const blog = blogModel()

/** Blog with enum user_role renamed (and users.role retyped); `values` changes its values too. */
export function blogWithRenamedEnum(name: string, values?: string[]): SchemaModel {
  return change(blog, (m) => {
    const e = m.enums.find((x) => x.name === 'user_role')!
    e.name = name
    if (values) e.values = values
    for (const t of m.tables) for (const c of t.columns) if (c.type.name === 'user_role') c.type.name = name
  })
}

/** Blog with table `name` moved to schema `schema` (foreign keys pointing at it follow). */
export function blogWithMovedTable(name: string, schema: string): SchemaModel {
  return change(blog, (m) => {
    m.tables.find((t) => t.name === name)!.schema = schema
    for (const t of m.tables) for (const fk of t.foreignKeys) if (fk.refTable === name) fk.refSchema = schema
    m.schemas = [...new Set([...m.tables.map((t) => t.schema), ...m.enums.map((e) => e.schema)])].sort()
  })
}

const blogSeed = `INSERT INTO users (id, email, username, password_hash, role) VALUES ('00000000-0000-0000-0000-000000000001', 'a@x', 'a', 'h', 'editor');
  INSERT INTO posts (id, title, slug, author_id) VALUES ('00000000-0000-0000-0000-000000000002', 't', 's', '00000000-0000-0000-0000-000000000001');
  INSERT INTO comments (content, author_id, post_id) VALUES ('first!', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002')`

export const pairs: Pair[] = [
  {name: 'nothing → the spec first schema', a: empty(), b: initial, kinds: ['create_table', 'add_foreign_key']},
  {name: 'nothing → the blog schema (enum, composite PK, self reference)', a: empty(), b: blog, kinds: ['create_enum']},
  // No rows here: blog adds NOT NULL users.username without a default, which fails on rows by design.
  {name: 'first schema → blog schema', a: initial, b: blog, kinds: ['add_column', 'create_index']},
  {
    name: 'add a profile table with a cascading FK',
    a: initial,
    b: change(initial, (m) => m.tables.push(profiles)),
    kinds: ['create_table', 'add_foreign_key'],
  },
  {
    name: 'rename a column (rows survive)',
    a: initial,
    b: edit(initial, 'users', (t) => void (column(t, 'first_name').name = 'given_name')),
    renames: [{kind: 'column', schema: 'public', table: 'users', from: 'first_name', to: 'given_name'}],
    seed: seedUsers,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT given_name FROM users ORDER BY email`)
      expect(rows.map((r) => r.given_name)).to.deep.equal(['Ada', 'Alan'])
    },
    kinds: ['rename_column'],
  },
  {
    name: 'varchar(100) → text (rows survive)',
    a: initial,
    b: edit(initial, 'users', (t) => void (column(t, 'last_name').type = type('text'))),
    seed: seedUsers,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT last_name FROM users ORDER BY email`)
      expect(rows.map((r) => r.last_name)).to.deep.equal(['Lovelace', 'Turing'])
    },
    kinds: ['alter_column_type'],
  },
  {
    name: 'add an enum value in the middle',
    a: blog,
    b: change(blog, (m) => void (m.enums[0].values = ['user', 'author', 'moderator', 'editor', 'admin'])),
    kinds: ['add_enum_value'],
  },
  {
    name: 'add an enum value and make it the default in the same migration',
    a: blog,
    b: edit(
      change(blog, (m) => void m.enums[0].values.push('guest')),
      'users',
      (t) => void (column(t, 'role').default = str('guest')),
    ),
    seed: `INSERT INTO users (email, username, password_hash) VALUES ('a@x', 'a', 'h')`,
    verify: async (c) => {
      await c.query(`INSERT INTO users (email, username, password_hash) VALUES ('b@x', 'b', 'h')`)
      const {rows} = await c.query(`SELECT role::text FROM users ORDER BY email`)
      expect(rows.map((r) => r.role)).to.deep.equal(['user', 'guest'])
    },
    kinds: ['add_enum_value', 'alter_column_default'],
  },
  {
    name: 'add enum values at the start and the end',
    a: blog,
    b: change(
      blog,
      (m) => void (m.enums[0].values = ['guest', 'visitor', 'user', 'author', 'editor', 'admin', 'owner']),
    ),
    kinds: ['add_enum_value'],
  },
  {
    name: 'remove an enum value (type rebuilt, rows with other values survive)',
    a: blog,
    b: change(blog, (m) => void (m.enums[0].values = ['user', 'author', 'admin'])),
    seed: `INSERT INTO users (email, username, password_hash, role) VALUES ('a@x', 'a', 'h', 'admin'), ('b@x', 'b', 'h', 'user')`,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT role::text FROM users ORDER BY email`)
      expect(rows.map((r) => r.role)).to.deep.equal(['admin', 'user'])
    },
    kinds: ['recreate_enum'],
  },
  {
    name: 'rename an enum value (rows follow)',
    a: blog,
    b: change(blog, (m) => void (m.enums[0].values = ['user', 'author', 'moderator', 'admin'])),
    renames: [{kind: 'enumValue', schema: 'public', enum: 'user_role', from: 'editor', to: 'moderator'}],
    seed: `INSERT INTO users (email, username, password_hash, role) VALUES ('a@x', 'a', 'h', 'editor')`,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT role::text FROM users`)
      expect(rows[0].role).to.equal('moderator')
    },
    kinds: ['rename_enum_value'],
  },
  {
    name: 'reorder enum values and change the enum default',
    a: blog,
    b: edit(
      change(blog, (m) => void (m.enums[0].values = ['admin', 'editor', 'author', 'user'])),
      'users',
      (t) => void (column(t, 'role').default = str('author')),
    ),
    kinds: ['recreate_enum'],
  },
  {
    name: 'composite index on an existing table (concurrently)',
    a: initial,
    b: edit(
      initial,
      'posts',
      (t) =>
        void t.indexes.push({
          name: 'posts_author_id_created_at_idx',
          parts: [
            {kind: 'column', name: 'author_id'},
            {kind: 'column', name: 'created_at'},
          ],
          unique: false,
        }),
    ),
    kinds: ['create_index'],
  },
  {
    name: 'drop a column',
    a: initial,
    b: edit(initial, 'users', (t) => void (t.columns = t.columns.filter((c) => c.name !== 'last_name'))),
    kinds: ['drop_column'],
  },
  {
    name: 'split a table: names move to user_profiles',
    a: initial,
    b: change(initial, (m) => {
      const users = m.tables.find((t) => t.name === 'users')!
      users.columns = users.columns.filter((c) => c.name !== 'first_name' && c.name !== 'last_name')
      m.tables.push(
        table('user_profiles', [
          col('user_id', 'uuid', {pk: true, ref: {table: 'users', onDelete: 'CASCADE'}}),
          col('first_name', 'varchar(100)'),
          col('last_name', 'varchar(100)'),
        ]),
      )
    }),
    kinds: ['drop_column', 'create_table'],
  },
  {
    name: 'foreign key actions change',
    a: initial,
    b: edit(initial, 'posts', (t) => {
      t.foreignKeys[0].onDelete = 'CASCADE'
      t.foreignKeys[0].onUpdate = 'RESTRICT'
    }),
    kinds: ['drop_foreign_key', 'add_foreign_key'],
  },
  {
    name: 'add a check constraint',
    a: initial,
    b: edit(
      initial,
      'posts',
      (t) => void t.checks.push({name: 'posts_title_not_blank', expression: `char_length(title) > 0`}),
    ),
    seed: `INSERT INTO posts (title) VALUES ('Hello')`,
    kinds: ['add_check'],
  },
  {
    name: 'notes become comments on table, column, enum and index',
    a: blog,
    b: change(blog, (m) => {
      const users = m.tables.find((t) => t.name === 'users')!
      users.note = `People who sign in;\nthe "owner" isn't special \\ at all;`
      column(users, 'bio').note = 'Free text, shown on the profile'
      users.indexes[0].note = 'for the active users list'
      m.enums[0].note = 'Roles, in order of power'
    }),
    kinds: ['comment'],
  },
  {
    name: 'notes change and disappear',
    a: edit(initial, 'users', (t) => {
      t.note = 'old note'
      column(t, 'email').note = 'login'
    }),
    b: edit(initial, 'users', (t) => void (column(t, 'email').note = 'login name, lower case')),
    kinds: ['comment'],
  },
  {
    name: 'rename a table with a self reference (rows survive)',
    a: blog,
    b: change(blog, (m) => {
      const c = m.tables.find((t) => t.name === 'comments')!
      c.name = 'post_comments'
      c.primaryKey!.name = 'post_comments_pkey'
      for (const fk of c.foreignKeys) {
        fk.name = fk.name.replace(/^comments_/, 'post_comments_')
        if (fk.refTable === 'comments') fk.refTable = 'post_comments'
      }
      for (const i of c.indexes) i.name = i.name.replace(/^comments_/, 'post_comments_')
    }),
    renames: [{kind: 'table', schema: 'public', from: 'comments', to: 'post_comments'}],
    seed: `INSERT INTO users (id, email, username, password_hash) VALUES ('00000000-0000-0000-0000-000000000001', 'a@x', 'a', 'h');
      INSERT INTO posts (id, title, slug, author_id) VALUES ('00000000-0000-0000-0000-000000000002', 't', 's', '00000000-0000-0000-0000-000000000001');
      INSERT INTO comments (content, author_id, post_id) VALUES ('first!', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002')`,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT content FROM post_comments`)
      expect(rows).to.deep.equal([{content: 'first!'}])
    },
    kinds: ['rename_table', 'rename_constraint', 'rename_index'],
  },
  {
    name: 'drop a table',
    a: initial,
    b: change(initial, (m) => void (m.tables = m.tables.filter((t) => t.name !== 'comments'))),
    kinds: ['drop_table', 'drop_foreign_key'],
  },
  {
    name: 'a new schema with an enum and a table',
    a: initial,
    b: change(initial, (m) => {
      m.enums.push(enumType('event_kind', ['view', 'click'], {schema: 'analytics'}))
      m.tables.push(
        table(
          'events',
          [
            col('id', 'bigint', {pk: true, identity: true}),
            col('kind', 'analytics.event_kind', {notNull: true, default: str('view')}),
            col('user_id', 'uuid', {ref: {table: 'users'}}),
          ],
          {
            schema: 'analytics',
          },
        ),
      )
      m.schemas = ['analytics', 'public']
    }),
    kinds: ['create_schema', 'create_enum'],
  },
  {
    name: 'a table referencing auth.users (platform schema kept by the down)',
    a: initial,
    b: change(initial, (m) => {
      m.tables.push(table('users', [col('id', 'uuid', {pk: true})], {schema: 'auth'}))
      m.tables.push(
        table('accounts', [col('id', 'uuid', {pk: true, ref: {schema: 'auth', table: 'users'}}), col('plan', 'text')]),
      )
      m.schemas = ['auth', 'public']
    }),
    kinds: ['create_schema'],
  },
  {
    name: 'nullability: set NOT NULL and drop NOT NULL',
    a: initial,
    b: edit(initial, 'users', (t) => {
      column(t, 'first_name').notNull = true
      column(t, 'password_hash').notNull = false
    }),
    kinds: ['alter_column_nullability'],
  },
  {
    name: "defaults: set (O'Reilly, a backslash), change, drop",
    a: initial,
    b: edit(initial, 'users', (t) => {
      column(t, 'last_name').default = str("O'Reilly \\ Sons")
      column(t, 'is_active').default = bool(false)
      delete column(t, 'updated_at').default
    }),
    seed: seedUsers,
    verify: async (c) => {
      await c.query(`INSERT INTO users (email, password_hash) VALUES ('new@x', 'h')`)
      const {rows} = await c.query(`SELECT last_name, is_active FROM users WHERE email = 'new@x'`)
      expect(rows[0]).to.deep.equal({last_name: "O'Reilly \\ Sons", is_active: false})
    },
    kinds: ['alter_column_default'],
  },
  {
    name: 'integer → bigint identity widening (rows survive)',
    a: model([
      table('counters', [
        col('id', 'integer', {pk: true, identity: true}),
        col('hits', 'int', {notNull: true, default: num('0')}),
      ]),
    ]),
    b: model([
      table('counters', [
        col('id', 'bigint', {pk: true, identity: true}),
        col('hits', 'bigint', {notNull: true, default: num('0')}),
      ]),
    ]),
    seed: `INSERT INTO counters (hits) VALUES (41), (2147483647)`,
    verify: async (c) => {
      await c.query(`UPDATE counters SET hits = hits + 1`)
      const {rows} = await c.query(`SELECT hits::text FROM counters ORDER BY id`)
      expect(rows.map((r) => r.hits)).to.deep.equal(['42', '2147483648'])
    },
    kinds: ['alter_column_type'],
  },
  {
    name: 'text → integer needs USING (rows convert)',
    a: model([table('settings', [col('key', 'text', {pk: true}), col('value', 'text', {default: str('10')})])]),
    b: model([table('settings', [col('key', 'text', {pk: true}), col('value', 'integer', {default: num('10')})])]),
    seed: `INSERT INTO settings VALUES ('retries', '3')`,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT value FROM settings`)
      expect(rows[0].value).to.equal(3)
    },
    kinds: ['alter_column_type'],
  },
  {
    name: 'identity added to and removed from columns',
    a: model([table('a', [col('id', 'integer', {pk: true}), col('seq', 'bigint', {notNull: true, identity: true})])]),
    b: model([table('a', [col('id', 'integer', {pk: true, identity: true}), col('seq', 'bigint')])]),
    kinds: ['alter_column_identity'],
  },
  {
    name: 'primary key: single → composite',
    a: model([
      table('post_tags', [
        col('id', 'integer', {pk: true}),
        col('post_id', 'integer', {notNull: true}),
        col('tag_id', 'integer', {notNull: true}),
      ]),
    ]),
    b: model([
      table('post_tags', [col('id', 'integer', {notNull: true}), col('post_id', 'integer'), col('tag_id', 'integer')], {
        pk: ['post_id', 'tag_id'],
      }),
    ]),
    kinds: ['drop_primary_key', 'add_primary_key'],
  },
  {
    name: 'unique replaced while a foreign key points at it',
    a: model([
      table('users', [col('id', 'integer', {pk: true}), col('email', 'text', {unique: true, notNull: true})]),
      table('invites', [
        col('id', 'integer', {pk: true}),
        col('email', 'text', {ref: {table: 'users', column: 'email'}}),
      ]),
    ]),
    b: model([
      table('users', [col('id', 'integer', {pk: true}), col('email', 'text', {notNull: true})], {
        indexes: [{columns: ['email'], unique: true, name: 'users_email_uidx'}],
      }),
      table('invites', [
        col('id', 'integer', {pk: true}),
        col('email', 'text', {ref: {table: 'users', column: 'email'}}),
      ]),
    ]),
    kinds: ['drop_unique', 'create_index', 'drop_foreign_key', 'add_foreign_key'],
  },
  {
    name: 'index method and expression change',
    a: edit(
      initial,
      'users',
      (t) => void t.indexes.push({name: 'users_email_lookup', parts: [{kind: 'column', name: 'email'}], unique: false}),
    ),
    b: edit(initial, 'users', (t) => {
      t.indexes.push({name: 'users_email_lookup', parts: [{kind: 'expression', sql: 'lower(email)'}], unique: false})
      t.indexes.push({
        name: 'users_email_hash',
        parts: [{kind: 'column', name: 'email'}],
        unique: false,
        method: 'hash',
      })
    }),
    kinds: ['drop_index', 'create_index'],
  },
  {
    name: 'text column → enum and enum → text (USING)',
    a: change(blog, (m) => {
      const users = m.tables.find((t) => t.name === 'users')!
      column(users, 'role').type = type('text')
      column(users, 'role').default = str('user')
      users.columns.push(col('status', 'user_role'))
    }),
    b: blog,
    seed: `INSERT INTO users (email, username, password_hash, role, status) VALUES ('a@x', 'a', 'h', 'editor', 'admin')`,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT role::text FROM users`)
      expect(rows[0].role).to.equal('editor')
    },
    kinds: ['alter_column_type', 'drop_column'],
  },
  {
    name: 'arrays: add text[] and widen varchar(20)[] → text[]',
    a: model([table('articles', [col('id', 'integer', {pk: true}), col('labels', 'varchar(20)[]')])]),
    b: model([
      table('articles', [
        col('id', 'integer', {pk: true}),
        col('labels', 'text[]'),
        col('tags', 'text[]', {notNull: true, default: expr(`'{}'::text[]`)}),
      ]),
    ]),
    seed: `INSERT INTO articles VALUES (1, '{a,b}')`,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT labels, tags FROM articles`)
      expect(rows[0]).to.deep.equal({labels: ['a', 'b'], tags: []})
    },
    kinds: ['alter_column_type', 'add_column'],
  },
  {
    name: 'numeric(10,2) → numeric(12,2) (rows survive)',
    a: model([table('prices', [col('id', 'integer', {pk: true}), col('amount', 'decimal(10,2)', {notNull: true})])]),
    b: model([table('prices', [col('id', 'integer', {pk: true}), col('amount', 'numeric(12,2)', {notNull: true})])]),
    seed: `INSERT INTO prices VALUES (1, 12345678.91)`,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT amount FROM prices`)
      expect(rows[0].amount).to.equal('12345678.91')
    },
    kinds: ['alter_column_type'],
  },
  {
    name: 'column rename carries its index, unique and FK names along',
    a: blog,
    b: edit(blog, 'posts', (t) => {
      column(t, 'author_id').name = 'writer_id'
      t.foreignKeys.find((f) => f.name === 'posts_author_id_fkey')!.columns = ['writer_id']
      t.foreignKeys.find((f) => f.name === 'posts_author_id_fkey')!.name = 'posts_writer_id_fkey'
      const i = t.indexes.find((x) => x.name === 'posts_author_id_idx')!
      i.name = 'posts_writer_id_idx'
      i.parts = [{kind: 'column', name: 'writer_id'}]
    }),
    renames: [{kind: 'column', schema: 'public', table: 'posts', from: 'author_id', to: 'writer_id'}],
    kinds: ['rename_column', 'rename_index', 'rename_constraint'],
  },
  {
    name: 'drop an enum with the column that used it',
    a: blog,
    b: change(blog, (m) => {
      m.enums = []
      const users = m.tables.find((t) => t.name === 'users')!
      users.columns = users.columns.filter((c) => c.name !== 'role')
    }),
    kinds: ['drop_enum', 'drop_column'],
  },
  {
    name: 'identifiers that need quoting',
    a: model([table('Order Items', [col('id', 'integer', {pk: true}), col('select', 'text')])]),
    b: model([
      table(
        'Order Items',
        [
          col('id', 'integer', {pk: true}),
          col('select', 'text', {note: `it's "reserved"`}),
          col('a"b', 'text', {default: str(`it's`)}),
        ],
        {
          indexes: [{columns: ['select'], name: 'Order Items_select_idx'}],
        },
      ),
    ]),
    kinds: ['add_column', 'create_index'],
  },
  {
    name: 'drop a foreign key and add one to another table',
    a: initial,
    b: change(initial, (m) => {
      const comments = m.tables.find((t) => t.name === 'comments')!
      comments.foreignKeys = comments.foreignKeys.filter((f) => f.name !== 'comments_post_id_fkey')
      const posts = m.tables.find((t) => t.name === 'posts')!
      posts.columns.push(col('last_comment_id', 'uuid'))
      posts.foreignKeys.push({
        name: 'posts_last_comment_id_fkey',
        columns: ['last_comment_id'],
        refSchema: 'public',
        refTable: 'comments',
        refColumns: ['id'],
        onDelete: 'SET NULL',
      })
    }),
    kinds: ['drop_foreign_key', 'add_foreign_key', 'add_column'],
  },
  {
    name: 'blog → first schema (everything backwards)',
    a: blog,
    b: initial,
    kinds: ['drop_table', 'drop_enum', 'drop_column'],
  },
  {
    name: 'remove an enum value while dropping a table that used it',
    a: change(blog, (m) =>
      m.tables.push(
        table('audit', [col('id', 'integer', {pk: true}), col('actor_role', 'user_role', {default: str('admin')})]),
      ),
    ),
    b: change(blog, (m) => void (m.enums[0].values = ['user', 'author', 'admin'])),
    kinds: ['recreate_enum', 'drop_table'],
  },
  {
    name: 'serial and bigserial keys (their own sequence, no identity)',
    a: empty(),
    b: model([table('tickets', [col('id', 'serial', {pk: true}), col('ref', 'bigserial'), col('title', 'text')])]),
    kinds: ['create_table'],
  },
  {
    name: 'integer → serial: a sequence is created, owned and continues after the rows',
    a: model([table('tickets', [col('id', 'integer', {pk: true}), col('n', 'bigint'), col('title', 'text')])]),
    b: model([table('tickets', [col('id', 'serial', {pk: true}), col('n', 'bigserial'), col('title', 'text')])]),
    seed: `INSERT INTO tickets (id, n, title) VALUES (7, 3, 'old')`,
    verify: async (c) => {
      const {rows} = await c.query(`INSERT INTO tickets (title) VALUES ('new') RETURNING id, n::int`)
      expect(rows[0]).to.deep.equal({id: 8, n: 4})
    },
    kinds: ['alter_column_type', 'alter_column_nullability'],
  },
  {
    name: 'serial → integer: the nextval default and the sequence go',
    a: model([table('tickets', [col('id', 'serial', {pk: true}), col('n', 'smallserial'), col('title', 'text')])]),
    b: model([
      table('tickets', [
        col('id', 'integer', {pk: true}),
        col('n', 'smallint', {default: num('0')}),
        col('title', 'text'),
      ]),
    ]),
    seed: `INSERT INTO tickets (title) VALUES ('a')`,
    kinds: ['alter_column_type', 'alter_column_nullability'],
  },
  {
    name: 'identity added to a nullable column (SET NOT NULL first)',
    a: model([table('events', [col('id', 'uuid', {pk: true}), col('seq', 'bigint')])]),
    b: model([table('events', [col('id', 'uuid', {pk: true}), col('seq', 'bigint', {identity: true})])]),
    kinds: ['alter_column_nullability', 'alter_column_identity'],
  },
  {
    name: 'identity dropped: former nullability and default come back',
    a: model([table('events', [col('id', 'uuid', {pk: true}), col('seq', 'bigint', {identity: true})])]),
    b: model([table('events', [col('id', 'uuid', {pk: true}), col('seq', 'bigint', {default: num('0')})])]),
    seed: `INSERT INTO events (id) VALUES ('00000000-0000-0000-0000-000000000001')`,
    kinds: ['alter_column_identity', 'alter_column_nullability', 'alter_column_default'],
  },
  {
    name: 'a table with a serial key renamed: its sequence follows (and a serial column rename too)',
    a: model([table('tickets', [col('id', 'serial', {pk: true}), col('number', 'bigserial'), col('title', 'text')])]),
    b: model([table('issues', [col('id', 'serial', {pk: true}), col('no', 'bigserial'), col('title', 'text')])]),
    renames: [
      {kind: 'table', schema: 'public', from: 'tickets', to: 'issues'},
      {kind: 'column', schema: 'public', table: 'tickets', from: 'number', to: 'no'},
    ],
    seed: `INSERT INTO tickets (title) VALUES ('a')`,
    verify: async (c) => {
      const {rows} = await c.query(`INSERT INTO issues (title) VALUES ('b') RETURNING id, no::int`)
      expect(rows[0]).to.deep.equal({id: 2, no: 2})
    },
    kinds: ['rename_table', 'rename_column'],
  },
  {
    name: 'rename an enum type: ALTER TYPE RENAME, rows and the default follow',
    a: blog,
    b: blogWithRenamedEnum('account_role'),
    renames: [{kind: 'enum', schema: 'public', from: 'user_role', to: 'account_role'}],
    seed: blogSeed,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT role::text, pg_typeof(role)::text AS type FROM users`)
      expect(rows).to.deep.equal([{role: 'editor', type: 'account_role'}])
      const {rows: defaults} = await c.query(
        `INSERT INTO users (email, username, password_hash) VALUES ('b@x', 'b', 'h') RETURNING role::text`,
      )
      expect(defaults[0].role).to.equal('user')
    },
    kinds: ['rename_enum'],
  },
  {
    name: 'rename an enum type and add a value to it',
    a: blog,
    b: blogWithRenamedEnum('account_role', ['user', 'author', 'editor', 'admin', 'guest']),
    renames: [{kind: 'enum', schema: 'public', from: 'user_role', to: 'account_role'}],
    seed: blogSeed,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT role::text FROM users`)
      expect(rows).to.deep.equal([{role: 'editor'}])
    },
    kinds: ['rename_enum', 'add_enum_value'],
  },
  {
    name: 'move a table with a self reference to another schema: SET SCHEMA, rows survive',
    a: blog,
    b: blogWithMovedTable('comments', 'archive'),
    renames: [{kind: 'tableSchema', schema: 'public', table: 'comments', toSchema: 'archive'}],
    seed: blogSeed,
    verify: async (c) => {
      const {rows} = await c.query(`SELECT content FROM archive.comments`)
      expect(rows).to.deep.equal([{content: 'first!'}])
      const {rows: next} = await c.query(
        `INSERT INTO archive.comments (content, author_id, post_id) SELECT 'second', author_id, post_id FROM archive.comments RETURNING content`,
      )
      expect(next).to.have.length(1)
    },
    kinds: ['move_table', 'create_schema'],
  },
]
