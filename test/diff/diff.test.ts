import {expect} from 'chai'
import {
  type Change,
  diffSchemas,
  emptyModel,
  findBreakingChanges,
  findRenameCandidates,
  parseRename,
  renameFlag,
} from '../../src/diff/index.js'
import type {SchemaModel} from '../../src/schema/model.js'
import {blogModel, initialModel} from '../helpers/fixtures.js'
import {blogWithMovedTable, blogWithRenamedEnum} from '../helpers/roundtrip-pairs.js'
import {col, enumType, model, str, table} from '../helpers/model.js'

const kinds = (changes: Change[]) => changes.map((c) => c.kind)
const indexOf = (changes: Change[], pred: (c: Change) => boolean) => changes.findIndex(pred)

function without(m: SchemaModel, tableName: string, column?: string): SchemaModel {
  const copy = structuredClone(m)
  if (column === undefined) copy.tables = copy.tables.filter((t) => t.name !== tableName)
  else {
    const t = copy.tables.find((x) => x.name === tableName)!
    t.columns = t.columns.filter((c) => c.name !== column)
  }
  return copy
}

describe('diffSchemas (pure)', () => {
  it('gives no change for identical models, whatever the source locations', () => {
    const a = blogModel()
    const b = structuredClone(a)
    b.tables[0].loc = {line: 99, column: 1}
    expect(diffSchemas(a, b)).to.deep.equal([])
  })

  it('treats type aliases as the same type (int = integer, varchar = character varying)', () => {
    const a = model([table('t', [col('id', 'int', {pk: true}), col('s', 'varchar(10)')])])
    const b = model([table('t', [col('id', 'integer', {pk: true}), col('s', 'character varying(10)')])])
    expect(diffSchemas(a, b)).to.deep.equal([])
  })

  it('from nothing: enums before tables, tables before indexes, foreign keys last', () => {
    const changes = diffSchemas(emptyModel(), blogModel())
    const firstTable = indexOf(changes, (c) => c.kind === 'create_table')
    expect(indexOf(changes, (c) => c.kind === 'create_enum')).to.be.lessThan(firstTable)
    const lastTable = changes.map((c) => c.kind).lastIndexOf('create_table')
    expect(indexOf(changes, (c) => c.kind === 'create_index')).to.be.greaterThan(lastTable)
    const firstFk = indexOf(changes, (c) => c.kind === 'add_foreign_key')
    expect(changes.slice(firstFk).every((c) => c.kind === 'add_foreign_key')).to.equal(true)
  })

  it('indexes on a new table are plain and transactional; on an existing table CONCURRENTLY and not', () => {
    const fresh = diffSchemas(emptyModel(), blogModel()).filter((c) => c.kind === 'create_index')
    expect(fresh.every((c) => c.transactional && !c.up[0].includes('CONCURRENTLY'))).to.equal(true)
    const existing = diffSchemas(initialModel(), blogModel()).filter(
      (c) => c.kind === 'create_index' && c.object === 'public.users_is_active_idx',
    )
    expect(existing).to.have.length(1)
    expect(existing[0].transactional).to.equal(false)
    expect(existing[0].reverseTransactional).to.equal(false)
    expect(existing[0].up[0]).to.include('CREATE INDEX CONCURRENTLY')
    expect(existing[0].reverse[0]).to.include('DROP INDEX CONCURRENTLY')
  })

  it('dropping a table: its foreign keys (and those pointing at it) go first', () => {
    const changes = diffSchemas(initialModel(), without(without(initialModel(), 'comments'), 'posts'))
    const dropPosts = indexOf(changes, (c) => c.kind === 'drop_table' && c.object === 'public.posts')
    const fkToPosts = indexOf(
      changes,
      (c) => c.kind === 'drop_foreign_key' && c.object === 'public.comments.comments_post_id_fkey',
    )
    expect(fkToPosts).to.be.within(0, dropPosts)
    expect(changes.find((c) => c.kind === 'drop_table')!.destructive).to.equal(true)
  })

  it('the down is each reverse in reverse order: the enum is dropped after the table using it', () => {
    const changes = diffSchemas(emptyModel(), blogModel())
    const down = [...changes].reverse().flatMap((c) => c.reverse)
    const dropUsers = down.findIndex((s) => s === 'DROP TABLE "public"."users"')
    const dropEnum = down.findIndex((s) => s === 'DROP TYPE "public"."user_role"')
    expect(dropUsers).to.be.greaterThan(-1)
    expect(dropEnum).to.be.greaterThan(dropUsers)
  })

  it('an enum value is added at its position, outside a transaction, re-runnable', () => {
    const a = model([], [enumType('mood', ['happy', 'sad'])])
    const b = model([], [enumType('mood', ['ecstatic', 'happy', 'ok', 'sad'])])
    const changes = diffSchemas(a, b)
    expect(changes.map((c) => c.up[0])).to.deep.equal([
      `ALTER TYPE "public"."mood" ADD VALUE IF NOT EXISTS 'ecstatic' BEFORE 'happy'`,
      `ALTER TYPE "public"."mood" ADD VALUE IF NOT EXISTS 'ok' AFTER 'happy'`,
    ])
    expect(changes.every((c) => !c.transactional)).to.equal(true)
  })

  it('removing an enum value rebuilds the type, converts columns through text, and is breaking', () => {
    const a = model(
      [table('u', [col('id', 'int', {pk: true}), col('mood', 'mood', {default: str('happy')})])],
      [enumType('mood', ['happy', 'sad', 'meh'])],
    )
    const b = model(
      [table('u', [col('id', 'int', {pk: true}), col('mood', 'mood', {default: str('happy')})])],
      [enumType('mood', ['happy', 'sad'])],
    )
    const changes = diffSchemas(a, b)
    expect(kinds(changes)).to.deep.equal(['recreate_enum', 'drop_enum'])
    expect(changes[0].up).to.include(
      `ALTER TABLE "public"."u" ALTER COLUMN "mood" TYPE "public"."mood" USING "mood"::text::"public"."mood"`,
    )
    expect(changes[1].up).to.deep.equal(['DROP TYPE "public"."mood__old"'])
    expect(findBreakingChanges(changes).map((b) => b.reason)).to.deep.equal(['enum public.mood: values meh removed'])
  })

  it('type change: USING only across type families; narrowing is destructive and breaking', () => {
    const a = model([table('t', [col('id', 'int', {pk: true}), col('n', 'text'), col('v', 'varchar(100)')])])
    const b = model([table('t', [col('id', 'int', {pk: true}), col('n', 'integer'), col('v', 'varchar(50)')])])
    const changes = diffSchemas(a, b)
    const n = changes.find((c) => c.object === 'public.t.n')!
    const v = changes.find((c) => c.object === 'public.t.v')!
    expect(n.up[0]).to.include('USING "n"::integer')
    // An explicit cast to varchar(50) would truncate silently; the assignment cast fails instead.
    expect(v.up[0]).to.not.include('USING')
    expect(n.destructive && v.destructive).to.equal(true)
    expect(findBreakingChanges(changes)).to.have.length(2)
  })

  it('widening (varchar(100) → text, int → bigint) is neither destructive nor breaking', () => {
    const a = model([table('t', [col('id', 'int', {pk: true}), col('v', 'varchar(100)')])])
    const b = model([table('t', [col('id', 'bigint', {pk: true}), col('v', 'text')])])
    const changes = diffSchemas(a, b)
    expect(changes).to.have.length(2)
    expect(changes.some((c) => c.destructive || c.breaking)).to.equal(false)
  })

  it('breaking: NOT NULL column without default added, NOT NULL set, column dropped, column renamed', () => {
    const a = initialModel()
    const b = structuredClone(a)
    const users = b.tables.find((t) => t.name === 'users')!
    users.columns.push(col('tenant_id', 'uuid', {notNull: true}))
    users.columns.find((c) => c.name === 'first_name')!.notNull = true
    users.columns = users.columns.filter((c) => c.name !== 'last_name')
    users.columns.find((c) => c.name === 'is_active')!.name = 'active'
    const changes = diffSchemas(a, b, {
      renames: [{kind: 'column', schema: 'public', table: 'users', from: 'is_active', to: 'active'}],
    })
    const reasons = findBreakingChanges(changes).map((x) => x.kind)
    expect(reasons).to.have.members(['add_column', 'alter_column_nullability', 'drop_column', 'rename_column'])
  })

  it('never drops platform schemas, and the down of creating one keeps it', () => {
    const withAuth = model([
      table('users', [col('id', 'uuid', {pk: true})], {schema: 'auth'}),
      table('x', [col('id', 'int', {pk: true})], {schema: 'extra'}),
    ])
    const up = diffSchemas(emptyModel(), withAuth).filter((c) => c.kind === 'create_schema')
    expect(up.map((c) => c.up[0])).to.deep.equal([
      'CREATE SCHEMA IF NOT EXISTS "auth"',
      'CREATE SCHEMA IF NOT EXISTS "extra"',
    ])
    expect(up[0].reverse).to.deep.equal([])
    const down = diffSchemas(withAuth, emptyModel())
    expect(down.filter((c) => c.kind === 'drop_schema').map((c) => c.object)).to.deep.equal(['extra'])
  })

  it('a renamed constraint with the same definition is renamed, not dropped and added', () => {
    const a = model([table('users', [col('id', 'int', {pk: true}), col('email', 'text', {unique: true})])])
    const b = structuredClone(a)
    b.tables[0].name = 'people'
    b.tables[0].primaryKey!.name = 'people_pkey'
    b.tables[0].uniques[0].name = 'people_email_key'
    const changes = diffSchemas(a, b, {renames: [{kind: 'table', schema: 'public', from: 'users', to: 'people'}]})
    expect(kinds(changes)).to.deep.equal(['rename_table', 'rename_constraint', 'rename_constraint'])
  })
})

describe('rename candidates', () => {
  it('a dropped column and an added one of a compatible type are a candidate; a declared rename is not', () => {
    const a = initialModel()
    const b = structuredClone(a)
    b.tables.find((t) => t.name === 'users')!.columns.find((c) => c.name === 'first_name')!.name = 'given_name'
    const candidates = findRenameCandidates(a, b)
    expect(candidates).to.deep.include({
      kind: 'column',
      schema: 'public',
      table: 'users',
      from: 'first_name',
      to: 'given_name',
    })
    expect(renameFlag(candidates[0])).to.equal('--rename users.first_name=given_name')
    const decided = findRenameCandidates(a, b, [
      {kind: 'column', schema: 'public', table: 'users', from: 'first_name', to: 'given_name'},
    ])
    expect(decided).to.deep.equal([])
  })
  it('a column of an incompatible type is not a candidate', () => {
    const a = model([table('t', [col('id', 'int', {pk: true}), col('a', 'text')])])
    const b = model([table('t', [col('id', 'int', {pk: true}), col('b', 'boolean')])])
    expect(findRenameCandidates(a, b)).to.deep.equal([])
  })
  it('a table that disappears while a similar one appears is a candidate', () => {
    const a = initialModel()
    const b = structuredClone(a)
    b.tables.find((t) => t.name === 'comments')!.name = 'remarks'
    expect(findRenameCandidates(a, b)).to.deep.equal([
      {kind: 'table', schema: 'public', from: 'comments', to: 'remarks'},
    ])
  })
  it('parses --rename for tables, columns and enum values against the old model', () => {
    const m = blogModel()
    expect(parseRename('users.bio=about', m)).to.deep.equal({
      kind: 'column',
      schema: 'public',
      table: 'users',
      from: 'bio',
      to: 'about',
    })
    expect(parseRename('comments=remarks', m)).to.deep.equal({
      kind: 'table',
      schema: 'public',
      from: 'comments',
      to: 'remarks',
    })
    expect(parseRename('user_role.editor=moderator', m)).to.deep.equal({
      kind: 'enumValue',
      schema: 'public',
      enum: 'user_role',
      from: 'editor',
      to: 'moderator',
    })
    expect(parseRename('nope=x', m)).to.be.a('string')
    expect(parseRename('users.bio', m)).to.be.a('string')
  })
  it('an enum type that disappears while one with the same values appears is a candidate; other values are not', () => {
    const a = blogModel()
    const candidates = findRenameCandidates(a, blogWithRenamedEnum('account_role'))
    expect(candidates).to.deep.equal([{kind: 'enum', schema: 'public', from: 'user_role', to: 'account_role'}])
    expect(renameFlag(candidates[0])).to.equal('--rename user_role=account_role')
    expect(findRenameCandidates(a, blogWithRenamedEnum('account_role'), [{...candidates[0]}])).to.deep.equal([])
    expect(findRenameCandidates(a, blogWithRenamedEnum('account_role', ['user', 'admin']))).to.deep.equal([])
  })
  it('a table that disappears from one schema while one of that name appears in another is a move candidate', () => {
    const a = blogModel()
    const candidates = findRenameCandidates(a, blogWithMovedTable('comments', 'archive'))
    expect(candidates).to.deep.equal([{kind: 'tableSchema', schema: 'public', table: 'comments', toSchema: 'archive'}])
    expect(renameFlag(candidates[0])).to.equal('--rename public.comments=archive.comments')
    expect(findRenameCandidates(a, blogWithMovedTable('comments', 'archive'), [{...candidates[0]}])).to.deep.equal([])
  })
  it('parses --rename for enum types and table moves', () => {
    const m = blogModel()
    expect(parseRename('user_role=account_role', m)).to.deep.equal({
      kind: 'enum',
      schema: 'public',
      from: 'user_role',
      to: 'account_role',
    })
    expect(parseRename('public.user_role=account_role', m)).to.deep.equal({
      kind: 'enum',
      schema: 'public',
      from: 'user_role',
      to: 'account_role',
    })
    expect(parseRename('comments=archive.comments', m)).to.deep.equal({
      kind: 'tableSchema',
      schema: 'public',
      table: 'comments',
      toSchema: 'archive',
    })
    expect(parseRename('public.comments=archive.comments', m)).to.deep.equal({
      kind: 'tableSchema',
      schema: 'public',
      table: 'comments',
      toSchema: 'archive',
    })
    expect(parseRename('comments=archive.remarks', m)).to.match(/same name/)
    expect(parseRename('comments=public.comments', m)).to.match(/already in schema public/)
  })
})

describe('enum renames and table moves (pure)', () => {
  it('a declared enum rename is one ALTER TYPE … RENAME TO, not create-convert-drop', () => {
    const changes = diffSchemas(blogModel(), blogWithRenamedEnum('account_role'), {
      renames: [{kind: 'enum', schema: 'public', from: 'user_role', to: 'account_role'}],
    })
    expect(kinds(changes)).to.deep.equal(['rename_enum'])
    expect(changes[0].up).to.deep.equal(['ALTER TYPE "public"."user_role" RENAME TO "account_role"'])
    expect(changes[0].reverse).to.deep.equal(['ALTER TYPE "public"."account_role" RENAME TO "user_role"'])
  })
  it('a renamed enum that also gains a value: rename first, then ADD VALUE on the new name', () => {
    const b = blogWithRenamedEnum('account_role', ['user', 'author', 'editor', 'admin', 'guest'])
    const changes = diffSchemas(blogModel(), b, {
      renames: [{kind: 'enum', schema: 'public', from: 'user_role', to: 'account_role'}],
    })
    expect(kinds(changes)).to.deep.equal(['rename_enum', 'add_enum_value'])
    expect(changes[1].up[0]).to.contain('"public"."account_role" ADD VALUE')
  })
  it('a declared move is one ALTER TABLE … SET SCHEMA, not drop and create', () => {
    const changes = diffSchemas(blogModel(), blogWithMovedTable('comments', 'archive'), {
      renames: [{kind: 'tableSchema', schema: 'public', table: 'comments', toSchema: 'archive'}],
    })
    expect(kinds(changes)).to.deep.equal(['create_schema', 'move_table'])
    expect(changes[1].up).to.deep.equal(['ALTER TABLE "public"."comments" SET SCHEMA "archive"'])
    expect(changes[1].reverse).to.deep.equal(['ALTER TABLE "archive"."comments" SET SCHEMA "public"'])
  })
})
