/**
 * @db A schema nobody here wrote: Pagila (PostgreSQL licence, beside the file), applied with plain
 * psql, pulled, and the pulled DBML built again on an empty database with the extras migration.
 * The file is read from ../shared (the project's shared fixtures, beside the repository), not copied.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'chai'
import {diffSchemas} from '../../src/diff/index.js'
import {introspect} from '../../src/introspect/index.js'
import {toDbml} from '../../src/introspect/dbml.js'
import {parseSchema} from '../../src/schema/parse.js'
import {validateSchema} from '../../src/validate/index.js'
import {readCatalog} from '../helpers/catalog.js'
import {ROOT} from '../helpers/cli.js'
import {freshDatabase} from '../helpers/db.js'
import {buildFromScratch} from '../helpers/roundtrip.js'

// ../shared beside the repository (CI); a worktree one level further down finds it at ../../shared.
const PAGILA = [join(ROOT, '..', 'shared'), join(ROOT, '..', '..', 'shared')]
  .map((dir) => join(dir, 'fixtures', 'pagila', 'pagila-schema.sql'))
  .find((file) => existsSync(file))
const PSQL = '/usr/bin/psql'

type Catalog = Awaited<ReturnType<typeof readCatalog>>

/**
 * The catalog without the partitions, which DBML cannot declare (the report lists them); the
 * partitioned parent's indexes are `ON ONLY` it, which a plain table's are not.
 */
function withoutPartitions(catalog: Catalog): Catalog {
  const partition = (r: unknown) =>
    /^payment_p\d{4}_\d\d$/.test(String((r as {table?: string; name?: string}).table ?? (r as {name: string}).name))
  const indexes = catalog.indexes
    .filter((r) => !partition(r))
    .map((r) => {
      const row = r as {definition: string}
      return {...row, definition: row.definition.replace(' ON ONLY ', ' ON ')}
    })
  return {
    ...catalog,
    tables: catalog.tables.filter((r) => !partition(r)),
    columns: catalog.columns.filter((r) => !partition(r)),
    constraints: catalog.constraints.filter((r) => !partition(r)),
    indexes,
  }
}

describe('Pagila: pull a schema applied with psql @db', function () {
  this.timeout(180_000)
  before(function () {
    if (!PAGILA) {
      console.log('      skipped: ../shared/fixtures/pagila/pagila-schema.sql is not beside this repository')
      this.skip()
    }
    if (!existsSync(PSQL)) {
      console.log(`      skipped: ${PSQL} is not installed`)
      this.skip()
    }
  })

  it('reports views, functions and triggers, and round-trips every table, column, key, index and enum', async () => {
    const db = await freshDatabase('nself_pagila')
    const again = await freshDatabase('nself_pagila')
    try {
      const psql = spawnSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-f', PAGILA!], {
        encoding: 'utf8',
      })
      expect(psql.status, psql.stderr).to.equal(0)
      const client = await db.connect()
      const live = await introspect(client).finally(() => client.end())

      expect(live.model.tables.map((t) => t.name)).to.deep.equal([
        'actor',
        'address',
        'category',
        'city',
        'country',
        'customer',
        'film',
        'film_actor',
        'film_category',
        'inventory',
        'language',
        'payment',
        'rental',
        'staff',
        'store',
      ])
      expect(live.model.enums).to.deep.equal([
        {schema: 'public', name: 'mpaa_rating', values: ['G', 'PG', 'PG-13', 'R', 'NC-17']},
      ])
      const count = (kind: string) => live.extras.filter((e) => e.kind === kind).length
      expect(count('view')).to.equal(7)
      expect(count('materialized view')).to.equal(1)
      expect(count('trigger')).to.equal(15)
      expect(count('function')).to.equal(10)
      expect(count('domain')).to.equal(2)
      expect(count('partition')).to.equal(7)

      const text = await toDbml(live.model, {comments: live.dbmlComments})
      expect(text).to.include('// partitioned in the database: PARTITION BY RANGE (payment_date)')
      const parsed = await parseSchema(text, 'pagila.dbml')
      expect(parsed.parseErrors).to.deep.equal([])
      expect(
        validateSchema(parsed)
          .filter((d) => d.severity === 'error')
          .map((d) => d.message),
      ).to.deep.equal([])
      expect(
        diffSchemas(live.model, parsed.model).map((c) => c.summary),
        'db run after pull finds nothing',
      ).to.deep.equal([])

      // Built afresh: the DBML, then the extras migration (partitions excepted: they stay by hand).
      const fresh = await again.connect()
      try {
        for (const e of live.extras.filter((x) => x.phase === 'before' && !x.manual))
          for (const s of e.sql) await fresh.query(s)
        await buildFromScratch(fresh, parsed.model)
        await fresh.query('SET check_function_bodies = false')
        for (const e of live.extras.filter((x) => x.phase === 'after' && !x.manual))
          for (const s of e.sql) await fresh.query(s)
        const original = await db.connect()
        try {
          const [built, source] = [
            withoutPartitions(await readCatalog(fresh)),
            withoutPartitions(await readCatalog(original)),
          ]
          for (const key of Object.keys(source) as Array<keyof Catalog>) {
            const a = new Set((built[key] as unknown[]).map((r) => JSON.stringify(r)))
            const b = new Set((source[key] as unknown[]).map((r) => JSON.stringify(r)))
            const onlyBuilt = [...a].filter((r) => !b.has(r))
            const onlySource = [...b].filter((r) => !a.has(r))
            expect({onlyBuilt, onlySource}, `catalog ${key}`).to.deep.equal({onlyBuilt: [], onlySource: []})
          }
        } finally {
          await original.end()
        }
      } finally {
        await fresh.end()
      }
    } finally {
      await db.drop()
      await again.drop()
    }
  })
})
