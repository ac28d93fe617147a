import {expect} from 'chai'
import {lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildGraph, renderDiagram, writeFileSafely} from '../../src/diagram/index.js'
import {readColours} from '../../src/diagram/graph.js'
import {layoutGraph} from '../../src/diagram/layout.js'
import {parseSchema} from '../../src/schema/parse.js'
import type {SchemaModel} from '../../src/schema/model.js'
import {HOSTILE, ecommerce, fixture} from './fixtures.js'

const model = async (source: string): Promise<SchemaModel> => {
  const parsed = await parseSchema(source, 'schema.dbml')
  expect(parsed.parseErrors).to.deep.equal([])
  return parsed.model
}

describe('diagram graph and layout', () => {
  it('blog: every table, column marker, reference and group', async () => {
    const source = fixture('blog.dbml')
    const g = buildGraph(await model(source), {source})
    expect(g.tables.map((t) => t.label).sort()).to.deep.equal([
      'categories',
      'comments',
      'post_tags',
      'posts',
      'tags',
      'users',
    ])
    expect(g.edges).to.have.length(7)
    const posts = g.tables.find((t) => t.label === 'posts')!
    expect(posts.group).to.equal('content_management')
    const col = (name: string) => posts.columns.find((c) => c.name === name)!
    expect(col('id')).to.include({pk: true, notNull: true, type: 'uuid'})
    expect(col('slug')).to.include({unique: true, notNull: true, type: 'varchar(255)'})
    expect(col('category_id')).to.include({fk: true, notNull: false})
    const author = g.edges.find((e) => e.from === 'public.posts' && e.fromColumns[0] === 'author_id')!
    expect(author).to.include({to: 'public.users', cardinality: 'many-to-one', required: true})
    expect(g.edges.find((e) => e.fromColumns[0] === 'category_id')!.required).to.equal(false)
    expect(g.enums.map((e) => [e.label, e.values.length])).to.deep.equal([['user_role', 4]])
    expect(g.groups.map((x) => x.name)).to.deep.equal(['content_management', 'user_management'])
  })

  it('reads group and header colours from the DBML, hex only', () => {
    const c = readColours(
      'TableGroup billing [color: #F00] {\n}\nTable "a b" [headercolor: #123456] {\n}\nTableGroup x [color: red;x:url(evil)] {\n}\n',
    )
    expect([...c.groups]).to.deep.equal([['billing', '#F00']])
    expect([...c.tables]).to.deep.equal([['a b', '#123456']])
  })

  it('one-to-one refs are drawn as such', async () => {
    const g = buildGraph(
      await model(
        'Table a {\n  id int [pk]\n}\nTable b {\n  id int [pk]\n  a_id int [unique, not null, ref: - a.id]\n}\n',
      ),
    )
    expect(g.edges.map((e) => e.cardinality)).to.deep.equal(['one-to-one'])
  })

  it('lays out e-commerce without two boxes overlapping, groups and enums included', async () => {
    const source = `${ecommerce()}\nTableGroup orders_g [color: #10b981] {\n  orders\n  products\n}\n`
    const g = buildGraph(await model(source), {source})
    const layout = await layoutGraph(g)
    const boxes = [...layout.tables.values(), ...layout.enums.values()]
    expect(boxes).to.have.length(g.tables.length + g.enums.length)
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]]
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y
        expect(apart, `boxes ${i} and ${j} overlap`).to.equal(true)
      }
    }
    expect(layout.edges).to.have.length(g.edges.length)
    const frame = layout.groups.get('orders_g')!
    for (const id of ['public.orders', 'public.products']) {
      const t = layout.tables.get(id)!
      expect(
        t.x >= frame.x && t.y >= frame.y && t.x + t.w <= frame.x + frame.w && t.y + t.h <= frame.y + frame.h,
        id,
      ).to.equal(true)
    }
  })

  it('escapes every user text: hostile names and notes never become markup', async () => {
    const m = await model(HOSTILE)
    for (const format of ['html', 'svg'] as const) {
      const out = await renderDiagram(m, {format, title: '</title><script>alert(4)</script>', source: HOSTILE})
      expect(out).not.to.contain('<img')
      expect(out).not.to.contain('<script>alert')
      expect(out).not.to.contain('</script><img')
      expect(out).not.to.contain('<b>x')
      expect(out).to.contain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;')
      expect(out).to.contain('a&amp;b&quot;c')
      expect(out.match(/<script>/g)?.length ?? 0).to.equal(format === 'html' ? 1 : 0)
    }
  })

  it('colours what a migration added, changed and dropped, and keeps the dropped', async () => {
    const before = await model(
      'Table a {\n  id int [pk]\n  old text\n  kept text\n}\nTable gone {\n  id int [pk]\n  a_id int [ref: > a.id]\n}\n',
    )
    const after = await model(
      'Table a {\n  id int [pk]\n  kept varchar(10)\n  fresh text\n}\nTable b {\n  id int [pk]\n  a_id int [ref: > a.id]\n}\n',
    )
    const g = buildGraph(after, {before, diffTitle: 'migration 002'})
    const t = (label: string) => g.tables.find((x) => x.label === label)!
    expect([t('a').status, t('b').status, t('gone').status]).to.deep.equal(['changed', 'added', 'dropped'])
    expect(t('a').columns.map((c) => [c.name, c.status ?? 'same'])).to.deep.equal([
      ['id', 'same'],
      ['kept', 'changed'],
      ['fresh', 'added'],
      ['old', 'dropped'],
    ])
    expect(g.edges.map((e) => `${e.from}:${e.status}`).sort()).to.deep.equal(['public.b:added', 'public.gone:dropped'])
    const svg = await renderDiagram(after, {format: 'svg', title: 'x', diff: {before, title: 'migration 002'}})
    expect(svg).to.match(/class="table dropped"[^>]*data-name="gone"/)
  })

  it('writes through a temp file and replaces a symlink instead of following it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nself-diagram-'))
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'keep me')
    const out = join(dir, 'diagram.html')
    symlinkSync(victim, out)
    await writeFileSafely(out, '<html></html>')
    expect(readFileSync(victim, 'utf8')).to.equal('keep me')
    expect(lstatSync(out).isSymbolicLink()).to.equal(false)
    expect(readFileSync(out, 'utf8')).to.equal('<html></html>')
  })
})
