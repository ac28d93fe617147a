/**
 * The page in a real browser (headless Chromium from Debian's packages, driven by playwright-core):
 * every table and reference drawn, no two boxes overlapping, search, no network, and a screenshot
 * under test/artifacts/ for a human to look at.
 */
import {expect} from 'chai'
import {existsSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Browser} from 'playwright-core'
import {generateDiagram} from '../../src/diagram/index.js'
import {parseSchema} from '../../src/schema/parse.js'
import {HOSTILE, ecommerce, fixture} from './fixtures.js'

const CHROMIUM = [process.env.NSELF_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => !!p && existsSync(p),
)
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname

interface Drawn {
  tables: Array<{name: string; left: number; top: number; right: number; bottom: number}>
  edges: Array<{from: string; to: string; length: number}>
}

describe('nself db diagram in a browser', function () {
  this.timeout(120_000)
  let browser: Browser
  const dir = mkdtempSync(join(tmpdir(), 'nself-diagram-browser-'))

  before(async function () {
    if (!CHROMIUM) {
      console.log('    skipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium, or set NSELF_CHROMIUM)')
      this.skip()
    }
    const {chromium} = await import('playwright-core')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    mkdirSync(ARTIFACTS, {recursive: true})
  })

  after(async () => browser?.close())

  async function draw(
    name: string,
    source: string,
  ): Promise<{
    drawn: Drawn
    expected: {tables: string[]; edges: string[]}
    page: import('playwright-core').Page
    requests: string[]
  }> {
    const schemaFile = join(dir, `${name}.dbml`)
    writeFileSync(schemaFile, source)
    const out = join(dir, `${name}.html`)
    await generateDiagram({schemaFile, shown: `${name}.dbml`, out, format: 'html'})
    const {model} = await parseSchema(source, name)
    const label = (schema: string, table: string) => (schema === 'public' ? table : `${schema}.${table}`)
    const expected = {
      tables: model.tables.map((t) => label(t.schema, t.name)).sort(),
      edges: model.tables
        .flatMap((t) => t.foreignKeys.map((f) => `${label(t.schema, t.name)}->${label(f.refSchema, f.refTable)}`))
        .sort(),
    }
    const page = await browser.newPage({viewport: {width: 1400, height: 900}})
    const requests: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    page.on('dialog', (d) => {
      throw new Error(`the page opened a dialog: ${d.message()}`)
    })
    await page.goto(`file://${out}`)
    // A string, not a function: tsx would wrap named functions in a helper the page does not have.
    const drawn = await page.evaluate<Drawn>(`(() => {
      const rect = (g) => g.querySelector('.box').getBoundingClientRect()
      const name = (id) => document.getElementById(id ?? '')?.getAttribute('data-name') ?? '?'
      return {
        tables: [...document.querySelectorAll('g.table')].map((g) => {
          const r = rect(g)
          return {name: g.getAttribute('data-name') ?? '', left: r.left, top: r.top, right: r.right, bottom: r.bottom}
        }),
        edges: [...document.querySelectorAll('g.edge')].map((e) => ({
          from: name(e.getAttribute('data-from')),
          to: name(e.getAttribute('data-to')),
          length: e.querySelector('.line').getTotalLength(),
        })),
      }
    })()`)
    return {drawn, expected, page, requests}
  }

  function expectNoOverlap(tables: Drawn['tables']): void {
    for (let i = 0; i < tables.length; i++) {
      for (let j = i + 1; j < tables.length; j++) {
        const [a, b] = [tables[i], tables[j]]
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top
        expect(apart, `${a.name} overlaps ${b.name}`).to.equal(true)
      }
    }
  }

  for (const [name, source] of [
    ['blog', () => fixture('blog.dbml')],
    ['ecommerce', ecommerce],
  ] as const) {
    it(`${name}: every table and reference drawn, no overlaps, search finds a table, no network`, async () => {
      const {drawn, expected, page, requests} = await draw(name, source())
      expect(drawn.tables.map((t) => t.name).sort()).to.deep.equal(expected.tables)
      expect(drawn.edges.map((e) => `${e.from}->${e.to}`).sort()).to.deep.equal(expected.edges)
      for (const e of drawn.edges) expect(e.length, `${e.from}->${e.to}`).to.be.greaterThan(10)
      for (const t of drawn.tables) expect(t.right - t.left, t.name).to.be.greaterThan(20)
      expectNoOverlap(drawn.tables)

      const target = expected.tables.at(-1)!
      await page.fill('#search', target.slice(0, 4))
      await page.keyboard.press('Enter')
      const found = await page.evaluate(() => {
        const t = document.querySelector('g.table.found')
        const r = t?.getBoundingClientRect()
        return t && r
          ? {
              name: t.getAttribute('data-name'),
              inView: r.left >= 0 && r.top >= 48 && r.right <= innerWidth && r.bottom <= innerHeight,
            }
          : undefined
      })
      expect(found?.inView, JSON.stringify(found)).to.equal(true)
      expect(found?.name?.startsWith(target.slice(0, 4))).to.equal(true)

      await page.keyboard.press('Escape')
      await page.click('#fit')
      const shot = join(ARTIFACTS, `diagram-${name}.png`)
      await page.screenshot({path: shot})
      console.log(`    screenshot: ${shot}`)
      expect(requests.filter((u) => !u.startsWith('file://'))).to.deep.equal([])
      await page.close()
    })
  }

  it('clicking a table highlights it and its neighbours only', async () => {
    const {page} = await draw('blog-click', fixture('blog.dbml'))
    await page.click('g.table[data-name="tags"] .head')
    const lit = await page.evaluate(() => ({
      selected: [...document.querySelectorAll('g.table.sel')].map((t) => t.getAttribute('data-name')),
      neighbours: [...document.querySelectorAll('g.table.nb')].map((t) => t.getAttribute('data-name')).sort(),
      edges: document.querySelectorAll('g.edge.hl').length,
    }))
    expect(lit).to.deep.equal({selected: ['tags'], neighbours: ['post_tags'], edges: 1})
    await page.close()
  })

  it('hostile names stay text: no script runs, no element is injected', async () => {
    const {drawn, page} = await draw('hostile', HOSTILE)
    expect(drawn.tables.map((t) => t.name)).to.include('</script><img src=x onerror=alert(1)>')
    expect(
      await page.evaluate(() => document.querySelectorAll('img').length + document.querySelectorAll('script').length),
    ).to.equal(1)
    await page.close()
  })
})
