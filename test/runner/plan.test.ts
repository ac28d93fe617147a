import {expect} from 'chai'
import {planTransactions, losesData, indexTarget} from '../../src/runner/plan.js'

describe('planTransactions', () => {
  it('puts statements PostgreSQL refuses in a transaction into steps of their own', () => {
    const plan = planTransactions(
      [
        'CREATE TABLE a (id int);',
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS a_id ON a (id);',
        'ALTER TABLE a ADD COLUMN b int;',
        'VACUUM ANALYZE a;',
        'REINDEX INDEX CONCURRENTLY a_id;',
        'ALTER SYSTEM SET work_mem = 1;',
        "ALTER TYPE mood ADD VALUE 'ok';",
        "UPDATE a SET b = 1 WHERE 'ok' = 'ok';",
      ].join('\n'),
    )
    expect(plan.steps.map((s) => (s.kind === 'transaction' ? `tx${s.statements.length}` : 'single'))).to.deep.equal([
      'tx1',
      'single',
      'tx1',
      'single',
      'single',
      'single',
      'single',
      'tx1',
    ])
  })

  it('keeps an enum value added but not used later inside the transaction', () => {
    const plan = planTransactions("ALTER TYPE mood ADD VALUE 'ok';\nCREATE TABLE x (id int);")
    expect(plan.steps).to.have.length(1)
    expect(plan.steps[0].kind).to.equal('transaction')
  })

  it("leaves out the file's own BEGIN/COMMIT: the runner manages transactions", () => {
    const plan = planTransactions('BEGIN;\nCREATE TABLE x (id int);\nCOMMIT;')
    expect(plan.statements.map((s) => s.sql)).to.deep.equal(['CREATE TABLE x (id int)'])
    expect(plan.skipped.map((s) => s.sql)).to.deep.equal(['BEGIN', 'COMMIT'])
  })

  it('reads the index name of concurrent builds, quoted or schema-qualified', () => {
    expect(indexTarget('CREATE INDEX CONCURRENTLY IF NOT EXISTS Idx_A ON a (id)')).to.deep.equal({
      action: 'create',
      name: 'idx_a',
      ifNotExists: true,
    })
    expect(indexTarget('DROP INDEX CONCURRENTLY app."Idx B"')).to.deep.equal({
      action: 'drop',
      schema: 'app',
      name: 'Idx B',
      ifNotExists: false,
    })
  })

  it('says which SQL loses data', () => {
    expect(losesData('DROP TABLE users;')).to.equal(true)
    expect(losesData('ALTER TABLE users DROP COLUMN email;')).to.equal(true)
    expect(losesData('-- nself:data-loss\nUPDATE x SET y = 1;')).to.equal(true)
    expect(losesData('DROP INDEX users_email; ALTER TABLE users DROP CONSTRAINT c;')).to.equal(false)
  })
})
