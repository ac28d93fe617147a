/**
 * @db What introspection reads, feature by feature, from SQL written by hand: what lands in the
 * model, what is reported as an extra, and that DBML plus extras rebuild the same catalog.
 */
import {expect} from 'chai'
import {introspect} from '../../src/introspect/index.js'
import {toDbml} from '../../src/introspect/dbml.js'
import {parseSchema} from '../../src/schema/parse.js'
import {readCatalog} from '../helpers/catalog.js'
import {createTestDatabase} from '../helpers/pg.js'
import {buildFromScratch} from '../helpers/roundtrip.js'

const ROLE = `nself_introspect_reader_${process.pid}`

const SQL = `
  CREATE EXTENSION IF NOT EXISTS citext;
  CREATE SCHEMA billing;
  CREATE TYPE billing.state AS ENUM ('open', 'paid', 'void');
  CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
  CREATE TABLE "Accounts" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "E-mail" citext NOT NULL,
    name varchar(80) COLLATE "C",
    tags varchar(10)[] DEFAULT '{}',
    seen timestamp(3) with time zone DEFAULT now(),
    score numeric(6,2) DEFAULT 1.50,
    credits positive,
    lower_name text GENERATED ALWAYS AS (lower(name)) STORED,
    quote text DEFAULT 'it''s',
    CONSTRAINT accounts_email_uniq UNIQUE NULLS NOT DISTINCT ("E-mail")
  );
  COMMENT ON TABLE "Accounts" IS 'Who pays';
  COMMENT ON COLUMN "Accounts".name IS 'Display name';
  CREATE TABLE billing.invoices (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL,
    state billing.state NOT NULL DEFAULT 'open',
    total numeric(10,2) CHECK (total >= 0),
    period tstzrange,
    CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES "Accounts" (id) ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED
  );
  COMMENT ON CONSTRAINT invoices_total_check ON billing.invoices IS 'never negative';
  CREATE INDEX invoices_open_idx ON billing.invoices (account_id) WHERE state = 'open';
  CREATE INDEX invoices_cover_idx ON billing.invoices (account_id) INCLUDE (total);
  CREATE INDEX invoices_recent_idx ON billing.invoices (id DESC);
  CREATE INDEX invoices_double_idx ON billing.invoices ((total * 2));
  CREATE INDEX invoices_period_idx ON billing.invoices USING gist (period);
  COMMENT ON INDEX billing.invoices_double_idx IS 'twice the total';
  ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own_invoices ON billing.invoices FOR SELECT TO PUBLIC USING (account_id > 0);
  CREATE ROLE ${ROLE};
  GRANT SELECT ON billing.invoices TO ${ROLE};
  CREATE SEQUENCE loose_counter START 100;
  CREATE VIEW billing.open_invoices AS SELECT * FROM billing.invoices WHERE state = 'open';
`

describe('introspection of hand-written SQL @db', function () {
  this.timeout(120_000)

  it('reads keys, types, defaults, identity, notes and indexes into the model and reports the rest', async () => {
    const db = await createTestDatabase()
    const again = await createTestDatabase()
    try {
      await db.client.query(SQL)
      const live = await introspect(db.client)
      const accounts = live.model.tables.find((t) => t.name === 'Accounts')!
      const invoices = live.model.tables.find((t) => t.name === 'invoices')!
      expect(live.model.schemas).to.deep.equal(['billing', 'public'])
      expect(live.model.enums).to.deep.equal([{schema: 'billing', name: 'state', values: ['open', 'paid', 'void']}])
      expect(accounts.note).to.equal('Who pays')
      expect(
        accounts.columns.map((c) => [
          c.name,
          c.type.name,
          c.type.args,
          c.type.arrayDims,
          c.identity,
          c.default ?? null,
        ]),
      ).to.deep.equal([
        ['id', 'bigint', [], 0, true, null],
        ['E-mail', 'citext', [], 0, false, null],
        ['name', 'varchar', ['80'], 0, false, null],
        ['tags', 'varchar', ['10'], 1, false, {kind: 'string', value: '{}'}],
        ['seen', 'timestamptz', ['3'], 0, false, {kind: 'expression', sql: 'now()'}],
        ['score', 'numeric', ['6', '2'], 0, false, {kind: 'expression', sql: '1.50'}],
        ['credits', 'integer', [], 0, false, null],
        ['lower_name', 'text', [], 0, false, null],
        ['quote', 'text', [], 0, false, {kind: 'string', value: "it's"}],
      ])
      expect(invoices.columns[0].type.name).to.equal('serial')
      expect(invoices.columns[2].type).to.deep.equal({name: 'state', schema: 'billing', args: [], arrayDims: 0})
      expect(invoices.foreignKeys).to.deep.equal([
        {
          name: 'invoices_account_fk',
          columns: ['account_id'],
          refSchema: 'public',
          refTable: 'Accounts',
          refColumns: ['id'],
          onDelete: 'CASCADE',
          onUpdate: 'RESTRICT',
          relation: 'many-to-one',
        },
      ])
      expect(invoices.checks).to.deep.equal([{name: 'invoices_total_check', expression: '(total >= (0)::numeric)'}])
      expect(invoices.indexes.map((i) => [i.name, i.method ?? 'btree', i.parts, i.note ?? null])).to.deep.equal([
        ['invoices_double_idx', 'btree', [{kind: 'expression', sql: '((total * (2)::numeric))'}], 'twice the total'],
        ['invoices_period_idx', 'gist', [{kind: 'column', name: 'period'}], null],
      ])
      const extras = live.extras.map((e) => `${e.kind} ${e.object}: ${e.reason}`)
      for (const expected of [
        'domain public.positive: domain over integer',
        'sequence public.loose_counter: owned by nothing',
        'column public.Accounts.id: GENERATED ALWAYS AS IDENTITY: DBML [increment] is BY DEFAULT',
        'column public.Accounts.name: COLLATE pg_catalog."C": DBML has no collations',
        'column public.Accounts.credits: type is the domain public.positive: DBML declares its base type integer',
        'constraint public.Accounts.accounts_email_uniq: UNIQUE NULLS NOT DISTINCT ("E-mail"): DBML declares a plain unique constraint',
        'constraint billing.invoices.invoices_account_fk: DEFERRABLE INITIALLY DEFERRED: DBML declares a plain foreign key',
        'comment billing.invoices.invoices_total_check: comment on a constraint: DBML has no notes on constraints',
        "index billing.invoices_open_idx: partial (WHERE (state = 'open'::billing.state)): DBML cannot express it",
        'index billing.invoices_cover_idx: has INCLUDE columns: DBML cannot express it',
        'index billing.invoices_recent_idx: has a sort order (DESC or NULLS FIRST/LAST): DBML cannot express it',
        'view billing.open_invoices: view',
        'row level security billing.invoices: row level security enabled',
        'policy billing.invoices (policy own_invoices): row level security policy',
        `grant billing.invoices (to ${ROLE}): privileges granted`,
      ]) {
        expect(extras, extras.join('\n')).to.include(expected)
      }
      expect(extras.find((e) => e.startsWith('column public.Accounts.lower_name'))).to.match(/generated column/)
      expect(extras.find((e) => e.startsWith('extension citext'))).to.match(/^extension citext: extension citext \d/)

      const text = await toDbml(live.model)
      expect(text).to.include('"E-mail" citext [not null]')
      expect(text).to.include("quote text [default: 'it\\'s']")
      expect(text).to.include('Table Accounts {')
      const parsed = await parseSchema(text, 'pulled.dbml')
      expect(parsed.parseErrors).to.deep.equal([])
      for (const e of live.extras.filter((x) => x.phase === 'before'))
        for (const s of e.sql) await again.client.query(s)
      await buildFromScratch(again.client, parsed.model)
      for (const e of live.extras.filter((x) => x.phase === 'after')) for (const s of e.sql) await again.client.query(s)
      expect(await readCatalog(again.client)).to.deep.equal(await readCatalog(db.client))
    } finally {
      for (const d of [db, again]) await d.client.query(`DROP OWNED BY ${ROLE}`).catch(() => undefined)
      await db.client.query(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined)
      await db.drop()
      await again.drop()
    }
  })
})
