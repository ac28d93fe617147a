import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../../helpers/cli.js'
import {parseSchema} from '../../../src/schema/parse.js'
import {snapshotText} from '../../../src/authoring/generated.js'

function project(schema: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nself-diagram-cli-'))
  mkdirSync(join(dir, 'database'))
  writeFileSync(join(dir, 'database', 'schema.dbml'), schema)
  return dir
}

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')

describe('nself db diagram (end to end)', () => {
  it('writes database/diagram.html for the blog schema, and an SVG with --format svg', async () => {
    const cwd = project(fixture('blog.dbml'))
    const r = await runCli(['db', 'diagram'], {cwd})
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout).to.contain('Wrote database/diagram.html: 6 tables, 7 references')
    const html = readFileSync(join(cwd, 'database', 'diagram.html'), 'utf8')
    expect(html)
      .to.match(/^<!doctype html>/)
      .and.not.match(/(src|href)="https?:/)
    const svg = await runCli(['db', 'diagram', '--format', 'svg', '--out', 'docs/schema.svg', '--json'], {cwd})
    expect(svg.code, svg.stderr).to.equal(0)
    expect(JSON.parse(svg.stdout)).to.deep.include({format: 'svg', tables: 6, references: 7})
    expect(readFileSync(join(cwd, 'docs', 'schema.svg'), 'utf8')).to.match(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    )
  })

  it('exits 5 naming FILE:LINE:COL when the schema does not compile', async () => {
    const r = await runCli(['db', 'diagram'], {cwd: project(fixture('ecommerce.dbml'))})
    expect(r.code).to.equal(5)
    expect(r.stderr)
      .to.contain("database/schema.dbml:20:25: error: Table 'brands' does not exist")
      .and.not.match(/\n\s+at /)
  })

  it('--diff colours a migration against the snapshot before it; unknown versions are a usage error', async () => {
    const cwd = project('Table a {\n  id int [pk]\n}\n')
    const meta = join(cwd, 'database', 'migrations', 'meta')
    mkdirSync(meta, {recursive: true})
    writeFileSync(
      join(meta, '001.json'),
      snapshotText((await parseSchema('Table a {\n  id int [pk]\n  old text\n}\n', 'x')).model),
    )
    writeFileSync(
      join(meta, '002.json'),
      snapshotText((await parseSchema('Table a {\n  id int [pk]\n}\nTable b {\n  id int [pk]\n}\n', 'x')).model),
    )
    const r = await runCli(['db', 'diagram', '--diff', '002'], {cwd})
    expect(r.code, r.stderr).to.equal(0)
    const html = readFileSync(join(cwd, 'database', 'diagram.html'), 'utf8')
    expect(html)
      .to.match(/class="table added"[^>]*data-name="b"/)
      .and.match(/class="table changed"[^>]*data-name="a"/)
    expect(html).to.match(/class="row dropped"><title>old text/)
    const bad = await runCli(['db', 'diagram', '--diff', '007'], {cwd})
    expect(bad.code).to.equal(2)
    expect(bad.stderr).to.contain('--diff 007').and.contain('001, 002')
  })
})
