import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {diffSchemas, emptyModel} from '../../src/diff/index.js'
import {
  NO_TRANSACTION_MARKER,
  migrationSlug,
  nextVersion,
  readMigrationsState,
  renderMigration,
  slugify,
  writeMigration,
} from '../../src/authoring/generated.js'
import {blogModel, initialModel} from '../helpers/fixtures.js'
import {generatedStatements} from '../helpers/roundtrip.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'nself-files-'))

describe('migration files', () => {
  it('numbers with three digits and slugs messages', () => {
    expect(nextVersion({migrations: [], snapshots: []})).to.equal('001')
    expect(nextVersion({migrations: [{version: '009'}], snapshots: ['007']})).to.equal('010')
    expect(nextVersion({migrations: [{version: '999'}], snapshots: []})).to.equal('1000')
    expect(slugify('Add user profiles table!')).to.equal('add_user_profiles_table')
    expect(slugify('***')).to.equal('migration')
    expect(migrationSlug([], undefined, true)).to.equal('initial')
  })

  it('marks statements outside a transaction and lists them, and destructive changes, in the header', () => {
    const changes = diffSchemas(initialModel(), blogModel())
    const {up} = renderMigration(changes, '002_blog')
    expect(up).to.match(/^-- nself migration 002_blog \(up\)/)
    expect(up).to.include(`${NO_TRANSACTION_MARKER}\nCREATE INDEX CONCURRENTLY "users_is_active_idx"`)
    expect(up).to.match(/-- Outside a transaction[^\n]*:\n-- {3}- create index/)
    const statements = generatedStatements(up)
    expect(statements.length).to.equal(changes.reduce((n, c) => n + c.up.length, 0))
    expect(statements.filter((s) => !s.transactional).every((s) => s.sql.includes('CONCURRENTLY'))).to.equal(true)
  })

  it('the down says what data it cannot bring back', () => {
    const changes = diffSchemas(blogModel(), initialModel())
    const {up, down} = renderMigration(changes, '003_back')
    expect(up).to.match(
      /-- Destructive:\n(-- {3}- .*\n)*-- {3}- drop table public\.categories: all rows of public\.categories\n/,
    )
    expect(down).to.include('-- data not restored: all rows of public.categories (the up dropped it)')
    expect(down).to.match(
      /-- Data this down cannot bring back \(the up lost it\):\n(-- {3}- .*\n)*-- {3}- drop table public\.tags/,
    )
  })

  it('is deterministic: the same plan gives the same bytes', () => {
    const a = renderMigration(diffSchemas(emptyModel(), blogModel()), '001_initial')
    const b = renderMigration(diffSchemas(emptyModel(), blogModel()), '001_initial')
    expect(a).to.deep.equal(b)
  })

  it('writes up, down and snapshot; reads the newest snapshot back as the previous state', async () => {
    const dir = join(tmp(), 'migrations')
    const rendered = renderMigration(diffSchemas(emptyModel(), initialModel()), '001_initial')
    const model = structuredClone(initialModel())
    model.tables[0].loc = {line: 3, column: 1}
    await writeMigration(dir, '001', 'initial', rendered, model)
    expect(readFileSync(join(dir, '001_initial.up.sql'), 'utf8')).to.equal(rendered.up)
    expect(readFileSync(join(dir, 'meta', '001.json'), 'utf8')).to.not.include('"loc"')
    const state = await readMigrationsState(dir)
    expect(state.latest?.version).to.equal('001')
    expect(state.latest?.model).to.deep.equal(initialModel())
    expect(state.unsnapshotted).to.deep.equal([])
    // Never overwrites.
    let error: unknown
    await writeMigration(dir, '001', 'initial', rendered, model).catch((e) => (error = e))
    expect(error).to.be.instanceOf(Error)
  })

  it('a hand-written migration without a snapshot is skipped over and reported', async () => {
    const dir = join(tmp(), 'migrations')
    await writeMigration(
      dir,
      '001',
      'initial',
      renderMigration(diffSchemas(emptyModel(), initialModel()), '001_initial'),
      initialModel(),
    )
    writeFileSync(join(dir, '002_hand_written.up.sql'), 'CREATE EXTENSION citext;\n')
    writeFileSync(join(dir, '002_hand_written.down.sql'), 'DROP EXTENSION citext;\n')
    mkdirSync(join(dir, 'meta'), {recursive: true})
    const state = await readMigrationsState(dir)
    expect(state.latest?.version).to.equal('001')
    expect(state.unsnapshotted.map((m) => m.name)).to.deep.equal(['hand_written'])
    expect(nextVersion(state)).to.equal('003')
  })
})
