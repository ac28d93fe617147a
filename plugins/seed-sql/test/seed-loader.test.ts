import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'chai'
import type {SeedContent, SeedLoader} from '@nself/sdk/hooks'
import hook from '../src/hooks/seed-loader.js'

describe('seed-sql: the seedLoader hook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nself-seed-sql-'))
  after(() => rmSync(dir, {recursive: true, force: true}))

  async function load(sql: string): Promise<SeedContent> {
    const path = join(dir, 'functions.sql')
    writeFileSync(path, sql)
    const loader = (await hook.call({} as never, {environment: 'development'} as never)) as SeedLoader
    const file = {
      path,
      fileName: 'functions.sql',
      format: 'sql',
      schema: 'public',
      table: 'functions',
      environment: 'development',
    }
    return loader.load(file)
  }

  it('gives a CREATE FUNCTION … BEGIN ATOMIC …; …; END; as one statement, with its line', async () => {
    const fn =
      'CREATE FUNCTION add_one(x int) RETURNS int\nLANGUAGE sql\nBEGIN ATOMIC\n  INSERT INTO calls VALUES (x);\n  SELECT x + 1;\nEND'
    const content = await load(`-- seed\n${fn};\nSELECT add_one(1);\n`)
    if (content.kind !== 'statements') throw new Error(`expected statements, got ${content.kind}`)
    expect(
      [...(content.statements as Iterable<{sql: string; line: number}>)].map(({sql, line}) => ({sql, line})),
    ).to.deep.equal([
      {sql: fn, line: 2},
      {sql: 'SELECT add_one(1)', line: 8},
    ])
  })

  it('refuses a psql meta-command with its line (the core reports file and line)', async () => {
    const error = await load('INSERT INTO a VALUES (1);\n\\i more.sql\n').catch((e: unknown) => e)
    expect(error).to.include({line: 2})
    expect((error as Error).message).to.match(/^\\i is a psql meta-command/)
  })
})
