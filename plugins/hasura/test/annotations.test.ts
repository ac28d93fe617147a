import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {parseSchema} from '../../../src/schema/parse.js'
import {parseAnnotations} from '../src/lib/annotations.js'
import {generateTables} from '../src/lib/generate.js'

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')

const POSTS = `Table users {
  id uuid [pk]
  email varchar
  org_id int
}
Table posts {
  id uuid [pk]
  title text
  author_id uuid [ref: > users.id]
  is_published boolean
  ANNOTATION
}`

async function annotate(annotation: string, source = POSTS) {
  const text = source.replace('ANNOTATION', annotation)
  const parsed = await parseSchema(text, 'schema.dbml')
  expect(parsed.parseErrors).to.deep.equal([])
  const result = parseAnnotations(text, parsed.model, 'schema.dbml')
  return {result, tables: generateTables(parsed.model, result), model: parsed.model}
}

const entry = (tables: Array<Record<string, any>>, name: string) => tables.find((t) => t.table.name === name)!

describe('hasura annotations', () => {
  it("give the spec's example its meaning: user selects id,email; admin skipped with a note; users.posts an array relationship on posts.author_id", async () => {
    const source = fixture('blog-hasura.dbml')
    const parsed = await parseSchema(source, 'database/schema.dbml')
    const annotations = parseAnnotations(source, parsed.model, 'database/schema.dbml')
    expect(annotations.diagnostics).to.deep.equal([])
    expect(annotations.notes).to.deep.equal([
      "database/schema.dbml:18:47: role admin skipped: Hasura's admin role has every permission and rejects explicit ones",
    ])
    const users = entry(generateTables(parsed.model, annotations), 'users')
    expect(users.select_permissions).to.deep.equal([{role: 'user', permission: {columns: ['id', 'email'], filter: {}}}])
    for (const op of ['insert', 'update', 'delete']) expect(users).not.to.have.property(`${op}_permissions`)
    expect(users.array_relationships).to.deep.include({
      name: 'posts',
      using: {foreign_key_constraint_on: {columns: ['author_id'], table: {name: 'posts', schema: 'public'}}},
    })
    // The FK-derived relationship with the same join is not repeated under another name.
    expect(
      users.array_relationships.filter((r: any) => r.using.foreign_key_constraint_on.table.name === 'posts'),
    ).to.have.length(1)
  })

  it('track every table with object relationships from foreign keys and array relationships on the referenced side, named by the documented rule', async () => {
    const {tables} = await annotate('')
    expect(tables.map((t) => t.table)).to.deep.equal([
      {name: 'posts', schema: 'public'},
      {name: 'users', schema: 'public'},
    ])
    expect(entry(tables, 'posts').object_relationships).to.deep.equal([
      {name: 'author', using: {foreign_key_constraint_on: 'author_id'}},
    ])
    expect(entry(tables, 'users').array_relationships).to.deep.equal([
      {
        name: 'posts',
        using: {foreign_key_constraint_on: {columns: ['author_id'], table: {name: 'posts', schema: 'public'}}},
      },
    ])
  })

  it('name two references to one table without a clash, and avoid column names', async () => {
    const source = `Table users {\n  id int [pk]\n  comments text\n}\nTable comments {\n  id int [pk]\n  author_id int [ref: > users.id]\n  editor_id int [ref: > users.id]\n  users int [ref: > users.id]\n}`
    const {tables} = await annotate('', source)
    expect(entry(tables, 'users').array_relationships.map((r: any) => r.name)).to.deep.equal([
      'comments_by_author_id',
      'comments_by_editor_id',
      'comments_by_users',
    ])
    expect(entry(tables, 'comments').object_relationships.map((r: any) => r.name)).to.deep.equal([
      'author',
      'editor',
      'users_by_users',
    ])
  })

  it('cover every operation, all columns when the list is omitted, filters with session variables, checks, presets, limit and aggregations', async () => {
    const {result, tables} = await annotate(
      "// hasura:permissions user:select limit 10 aggregations where is_published = true or author_id = X-Hasura-User-Id\n  // hasura:permissions user:insert[title] check author_id = X-Hasura-User-Id set author_id=X-Hasura-User-Id\n  // hasura:permissions editor:* where author_id = X-Hasura-User-Id and title != ''",
    )
    expect(result.diagnostics).to.deep.equal([])
    const posts = entry(tables, 'posts')
    expect(posts.select_permissions).to.deep.equal([
      {
        role: 'editor',
        permission: {
          columns: ['id', 'title', 'author_id', 'is_published'],
          filter: {_and: [{author_id: {_eq: 'X-Hasura-User-Id'}}, {title: {_neq: ''}}]},
        },
      },
      {
        role: 'user',
        permission: {
          columns: ['id', 'title', 'author_id', 'is_published'],
          filter: {_or: [{is_published: {_eq: true}}, {author_id: {_eq: 'X-Hasura-User-Id'}}]},
          limit: 10,
          allow_aggregations: true,
        },
      },
    ])
    expect(posts.insert_permissions).to.deep.equal([
      {
        role: 'editor',
        permission: {
          check: {_and: [{author_id: {_eq: 'X-Hasura-User-Id'}}, {title: {_neq: ''}}]},
          columns: ['id', 'title', 'author_id', 'is_published'],
        },
      },
      {
        role: 'user',
        permission: {
          check: {author_id: {_eq: 'X-Hasura-User-Id'}},
          columns: ['title'],
          set: {author_id: 'X-Hasura-User-Id'},
        },
      },
    ])
    expect(posts.update_permissions.map((p: any) => p.role)).to.deep.equal(['editor'])
    expect(posts.delete_permissions).to.deep.equal([
      {role: 'editor', permission: {filter: {_and: [{author_id: {_eq: 'X-Hasura-User-Id'}}, {title: {_neq: ''}}]}}},
    ])
  })

  it('read computed fields, object relationships and relationships without a foreign key', async () => {
    const {result, tables} = await annotate(
      '// hasura:computed excerpt function(blog.post_excerpt)\n  // hasura:object-relationship writer:users[author_id->id] org_users:users[id->org_id]',
    )
    expect(result.diagnostics).to.deep.equal([])
    const posts = entry(tables, 'posts')
    expect(posts.computed_fields).to.deep.equal([
      {name: 'excerpt', definition: {function: {name: 'post_excerpt', schema: 'blog'}}},
    ])
    expect(posts.object_relationships).to.deep.equal([
      {
        name: 'org_users',
        using: {
          manual_configuration: {column_mapping: {id: 'org_id'}, remote_table: {name: 'users', schema: 'public'}},
        },
      },
      {name: 'writer', using: {foreign_key_constraint_on: 'author_id'}},
    ])
  })

  it('report every bad annotation at file:line:col', async () => {
    const {result} = await annotate(
      [
        '// hasura:permissions user:select[id,nope]', // line 11
        '// hasura:permissions user:read', // 12
        '// hasura:permissions user select', // 13
        '// hasura:relationship comments[post_id->id]', // 14
        '// hasura:relationship users[id->author_idx]', // 15
        '// hasura:permissions user:update where ghost = 1', // 16
        '// hasura:colour red', // 17
      ].join('\n  '),
    )
    const shown = result.diagnostics.map((d) => `schema.dbml:${d.line}:${d.column}: ${d.message}`)
    expect(shown).to.deep.equal([
      'schema.dbml:11:40: unknown column "nope" in table posts',
      'schema.dbml:12:30: unknown operation "read"',
      'schema.dbml:13:25: unknown role syntax "user"',
      'schema.dbml:14:26: relationship "comments": no table comments in the schema',
      'schema.dbml:15:36: unknown column "author_idx" in table posts',
      'schema.dbml:16:43: unknown column "ghost" in table posts',
      'schema.dbml:17:13: unknown hasura annotation "hasura:colour"',
    ])
  })

  it('refuse an annotation outside a Table block, and duplicates', async () => {
    const source = `// hasura:permissions user:select\n${POSTS}`
    const {result} = await annotate(
      '// hasura:permissions user:select\n  // hasura:permissions user:select[id]',
      source,
    )
    expect(result.diagnostics.map((d) => [d.line, d.column, d.message])).to.deep.equal([
      [1, 4, 'a `// hasura:` annotation must be inside the Table block it is about'],
      [13, 25, 'role user has two select permissions on this table'],
    ])
  })

  it('ignore `//` and braces inside strings', async () => {
    const source = POSTS.replace('title text', "title text [note: '// hasura:permissions x:y { }']")
    const {result, tables} = await annotate('// hasura:permissions user:delete', source)
    expect(result.diagnostics).to.deep.equal([])
    expect(entry(tables, 'posts').delete_permissions).to.deep.equal([{role: 'user', permission: {filter: {}}}])
  })
})
