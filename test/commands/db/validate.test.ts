import {expect} from 'chai'
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../../helpers/cli.js'

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname

/** A project folder whose database/schema.dbml is the given fixture. */
function project(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nself-validate-'))
  mkdirSync(join(dir, 'database'))
  copyFileSync(fixture(name), join(dir, 'database', 'schema.dbml'))
  return dir
}

describe('nself db validate (end to end)', () => {
  it('exits 0 on the blog schema and says it is valid', async () => {
    const r = await runCli(['db', 'validate'], {cwd: project('blog.dbml')})
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout).to.contain('database/schema.dbml is valid')
  })

  it('exits 5 on the e-commerce schema, naming both missing tables with line:col', async () => {
    const r = await runCli(['db', 'validate'], {cwd: project('ecommerce.dbml')})
    expect(r.code).to.equal(5)
    expect(r.stdout).to.contain(
      "database/schema.dbml:20:25: error: missing foreign-key target: Table 'brands' does not exist",
    )
    expect(r.stdout).to.contain(
      "database/schema.dbml:39:28: error: missing foreign-key target: Table 'customers' does not exist",
    )
    expect(r.stderr)
      .to.contain('2 errors')
      .and.not.match(/\n\s+at /)
  })

  it('--json gives one object with the diagnostics, and exit 5 on errors', async () => {
    const r = await runCli(['db', 'validate', '--json'], {cwd: project('ecommerce.dbml')})
    expect(r.code).to.equal(5)
    const out = JSON.parse(r.stdout)
    expect(out.valid).to.equal(false)
    expect(out.diagnostics.map((d: {line: number; rule: string}) => `${d.line}:${d.rule}`)).to.deep.equal([
      '20:fk-target',
      '39:fk-target',
    ])
    expect(out.error.exit).to.equal(5)
    const ok = JSON.parse((await runCli(['db', 'validate', '--json'], {cwd: project('blog.dbml')})).stdout)
    expect(ok).to.deep.include({valid: true, errors: 0})
    expect(ok.summary).to.deep.equal({tables: 6, columns: 46, refs: 7, enums: 1, indexes: 27})
  })

  it('--verbose prints the summary, what each check looked at, and harmless self-references', async () => {
    const r = await runCli(['db', 'validate', '--verbose'], {cwd: project('blog.dbml')})
    expect(r.code).to.equal(0)
    expect(r.stdout).to.contain('6 tables, 46 columns, 7 refs, 1 enum, 27 indexes')
    expect(r.stdout).to.match(/types: types of 46 columns/)
    expect(r.stdout).to.contain('self-reference comments.parent_id → comments.id is fine')
  })

  it('--file checks another file; a missing file is a config error (exit 3), not a stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nself-validate-'))
    writeFileSync(join(dir, 'x.dbml'), 'Table t {\n  n varchr\n}\n')
    const bad = await runCli(['db', 'validate', '--file', 'x.dbml'], {cwd: dir})
    expect(bad.code).to.equal(5)
    expect(bad.stdout).to.contain(
      "x.dbml:2:3: error: Unknown data type 'varchr' for column t.n: did you mean 'varchar'? (unknown-type)\n  Solution: Use PostgreSQL-compatible data types",
    )
    const missing = await runCli(['db', 'validate', '--file', 'nope.dbml'], {cwd: dir})
    expect(missing.code).to.equal(3)
    expect(missing.stderr)
      .to.contain('nope.dbml: not found')
      .and.not.match(/\n\s+at /)
  })
})
