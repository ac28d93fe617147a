import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'

const FIXTURES = new URL('../fixtures/import/', import.meta.url).pathname

async function nself(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const result = await runCli(args, {cwd, env})
  expect(result.code, `nself ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).to.equal(0)
  return result.stdout
}

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'nself-import-'))
  mkdirSync(join(root, 'database'))
  writeFileSync(join(root, '.env.local'), '')
  return root
}

async function columnTypes(db: TestDatabase, table: string): Promise<Record<string, string>> {
  const {rows} = await db.query(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [table],
  )
  return Object.fromEntries(rows.map((r) => [r.attname, r.type]))
}

describe('nself db import @db', function () {
  this.timeout(180_000)
  let db: TestDatabase
  beforeEach(async () => (db = await freshDatabase()))
  afterEach(async () => db.drop())

  it('a MySQL dump: types mapped, view and ON UPDATE reported, the result validates and applies', async () => {
    const root = project()
    const out = await nself(['db', 'import', join(FIXTURES, 'shop.mysql.sql')], root)
    expect(out).to.include('(mysql)')
    expect(out).to.include('mapped  customers.is_active: tinyint(1) → boolean')
    expect(out).to.include('mapped  customers.created_at: datetime → timestamp')
    expect(out).to.include('dropped view paid_orders')
    expect(out).to.include('dropped ON UPDATE CURRENT_TIMESTAMP on updated_at')
    await nself(['db', 'validate'], root)
    await nself(['db', 'run'], root)
    await nself(['db', 'migrate:up'], root, db.env)
    expect(await columnTypes(db, 'customers')).to.include({
      id: 'integer',
      is_active: 'boolean',
      bio: 'text',
      avatar: 'bytea',
      created_at: 'timestamp without time zone',
      updated_at: 'timestamp with time zone',
    })
    expect(await columnTypes(db, 'orders')).to.include({
      status: 'orders_status_enum',
      total: 'numeric(10,2)',
      weight: 'double precision',
    })
    const fk = await db.query(
      `SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conname = 'orders_customer_fk'`,
    )
    expect(fk.rows[0].d).to.equal('FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE CASCADE')
  })

  it('a Rails schema.rb: implicit bigint id, options, indexes and the foreign key; validates and applies', async () => {
    const root = project()
    const out = await nself(['db', 'import', join(FIXTURES, 'schema.rb')], root)
    expect(out).to.include('(schemarb)')
    expect(out).to.include("mapped  books.id: Rails' implicit primary key → bigint [pk, increment]")
    const dbml = readFileSync(join(root, 'database', 'schema.dbml'), 'utf8')
    expect(dbml).to.include('title varchar(200) [not null]')
    expect(dbml).to.include('Ref fk_rails_books_authors: books.author_id > authors.id [delete: cascade]')
    await nself(['db', 'validate'], root)
    await nself(['db', 'run'], root)
    await nself(['db', 'migrate:up'], root, db.env)
    expect(await columnTypes(db, 'books')).to.include({
      id: 'bigint',
      title: 'character varying(200)',
      price: 'numeric(8,2)',
      rating: 'double precision',
    })
    const unique = await db.query(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'index_authors_on_email' AND contype = 'u'`,
    )
    expect(unique.rows[0].n).to.equal(1)
  })

  it('a file it cannot read is a config error naming it, not a stack', async () => {
    const result = await runCli(['db', 'import', 'nope.sql'], {cwd: project()})
    expect(result.code).to.equal(3)
    expect(result.stderr).to.include('cannot read nope.sql: not found')
  })
})
