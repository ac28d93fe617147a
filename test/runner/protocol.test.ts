import {expect} from 'chai'
import type pg from 'pg'
import {listenToProtocol} from '../../src/runner/protocol.js'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'

// node-postgres's private Client.connection, which migration progress depends on: if a pg upgrade
// changes it, this test says so before a user sees progress stop.
describe('pg protocol messages (private Client.connection) @db', () => {
  let db: TestDatabase
  let client: pg.Client
  before(async () => {
    db = await freshDatabase('nself_protocol')
    client = await db.connect()
  })
  after(async () => {
    await client?.end()
    await db?.drop()
  })

  it('reports each completed command and each row of a multi-statement message, in order', async () => {
    const events: string[] = []
    const stop = listenToProtocol(client, {
      commandComplete: () => events.push('complete'),
      dataRow: (fields) => events.push(`row ${fields.join(',')}`),
    })
    try {
      await client.query("BEGIN; SELECT 1, NULL::text; SELECT 'a' UNION ALL SELECT 'b'; COMMIT")
    } finally {
      stop()
    }
    expect(events).to.deep.equal(['complete', 'row 1,', 'complete', 'row a', 'row b', 'complete', 'complete'])
    await client.query('SELECT 1')
    expect(events, 'stopped listening').to.have.length(7)
  })

  it('refuses, with a clear message, a client without the protocol connection', () => {
    expect(() => listenToProtocol({} as pg.Client, {commandComplete() {}, dataRow() {}})).to.throw(
      /no longer exposes Client\.connection/,
    )
  })
})
