/**
 * @db The spec's DBML files through the real parser: 001_initial from each applies cleanly in one
 * transaction (on the harness server, and on Debian's PostgreSQL 15 when installed), and DBML
 * evolutions round-trip like the hand-built pairs.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {diffSchemas, emptyModel} from '../../src/diff/index.js'
import {renderMigration} from '../../src/authoring/generated.js'
import {parseSchema} from '../../src/schema/parse.js'
import type {SchemaModel} from '../../src/schema/model.js'
import {readCatalog} from '../helpers/catalog.js'
import {createDebianTestDatabase, createTestDatabase, debianAvailable, type TestDatabase} from '../helpers/pg.js'
import {roundTrip} from '../helpers/roundtrip.js'

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')

async function parse(source: string): Promise<SchemaModel> {
  return (await parseSchema(source, 'schema.dbml')).model
}

async function applyWholeFile(db: TestDatabase, text: string): Promise<void> {
  // One simple-protocol query: the whole file inside one transaction, as `psql -1` would run it.
  await db.client.query(`BEGIN;\n${text}\nCOMMIT;`)
}

for (const [label, create] of [
  ['harness server', createTestDatabase],
  ['Debian PostgreSQL 15', createDebianTestDatabase],
] as const) {
  describe(`001_initial on the ${label} @db`, function () {
    this.timeout(120_000)
    before(function () {
      if (label !== 'harness server' && !debianAvailable()) this.skip()
    })
    for (const file of ['initial.dbml', 'blog.dbml', 'ecommerce.dbml']) {
      it(`${file}: up applies in one transaction, down empties the database`, async () => {
        const model = await parse(fixture(file))
        const changes = diffSchemas(emptyModel(), model)
        expect(
          changes.every((c) => c.transactional),
          'no statement needs to run outside a transaction',
        ).to.equal(true)
        const {up, down} = renderMigration(changes, '001_initial')
        const db = await create()
        try {
          await applyWholeFile(db, up)
          const catalog = await readCatalog(db.client)
          expect(catalog.tables).to.have.length(model.tables.length)
          await applyWholeFile(db, down)
          const after = await readCatalog(db.client)
          expect(after.tables).to.deep.equal([])
          expect(after.enums).to.deep.equal([])
        } finally {
          await db.drop()
        }
      })
    }
  })
}

const PROFILE = `
Table profiles {
  id uuid [pk, default: \`gen_random_uuid()\`]
  user_id uuid [unique, not null]
  bio text
  website varchar(255)
  Note: 'One per user'
}
Ref: profiles.user_id > users.id [delete: cascade]
`

describe('DBML evolutions round-trip @db', function () {
  this.timeout(120_000)
  const cases: Array<{name: string; a: string; b: string; renames?: Parameters<typeof diffSchemas>[2]}> = [
    {name: 'initial.dbml → blog.dbml', a: fixture('initial.dbml'), b: fixture('blog.dbml')},
    {name: 'blog.dbml → initial.dbml', a: fixture('blog.dbml'), b: fixture('initial.dbml')},
    {name: 'blog + profile table', a: fixture('blog.dbml'), b: fixture('blog.dbml') + PROFILE},
    {
      name: 'blog: bio text → varchar(1000), color varchar(7) → text',
      a: fixture('blog.dbml'),
      b: fixture('blog.dbml').replace('bio text', 'bio varchar(1000)').replace('color varchar(7)', 'color text'),
    },
    {
      name: 'blog: enum gains a value, a composite index, a note, a check',
      a: fixture('blog.dbml'),
      b: fixture('blog.dbml')
        .replace('  editor\n', '  editor\n  moderator\n')
        .replace(
          '(is_featured)',
          '(is_featured)\n    (author_id, is_published, created_at) [name: "posts_author_feed_idx"]',
        )
        .replace('Table tags {', "Table tags {\n  Note: 'Free-form labels, lower case'"),
    },
    {
      name: 'blog: rename users.bio to about (declared)',
      a: fixture('blog.dbml'),
      b: fixture('blog.dbml').replace('  bio text', '  about text'),
      renames: {renames: [{kind: 'column', schema: 'public', table: 'users', from: 'bio', to: 'about'}]},
    },
  ]
  const MIXED = `Enum UserRole {\n  Admin\n  "it's"\n}\nEnum auth.kind {\n  a\n  b\n}\nTable "Users" {\n  id int [pk, increment]\n  role UserRole [default: 'Admin']\n  k auth.kind\n  at "timestamp(3) with time zone" [default: \`now()\`]\n  name varchar(20) [default: 'O\\'Reilly']\n}\n`
  cases.push({
    name: 'mixed-case names, a qualified enum, timestamp(3) with time zone, quotes in values',
    a: MIXED,
    b: MIXED.replace('  Admin\n', '  Admin\n  Guest\n').replace('varchar(20)', 'varchar(40)').replace('  b\n', ''),
  })
  for (const c of cases) {
    it(c.name, async () => {
      await roundTrip({name: c.name, a: await parse(c.a), b: await parse(c.b), renames: c.renames?.renames})
    })
  }
})
