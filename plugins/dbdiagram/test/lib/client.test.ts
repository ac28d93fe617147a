import {expect} from 'chai'
import {type AddressInfo, createServer} from 'node:net'
import {ExitCode, NselfError} from '@nself/sdk/errors'
import {DbdiagramClient, toDiagram} from '../../src/lib/client.js'
import {FakeDbdiagram} from '../helpers/fake-dbdiagram.js'

const TOKEN = 'tok_team_0123456789'

async function failure(promise: Promise<unknown>): Promise<NselfError> {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(NselfError)
    return error as NselfError
  }
  throw new Error('expected a failure')
}

describe('dbdiagram: API client against a local server', () => {
  const server = new FakeDbdiagram()
  let url: string
  const waits: number[] = []
  const client = (token = TOKEN, extra: {maxRetries?: number; maxWaitMs?: number} = {}) =>
    new DbdiagramClient({baseUrl: url, token, sleep: async (ms) => void waits.push(ms), ...extra})

  before(async () => {
    url = await server.start()
    server.tokens.set(TOKEN, 'team')
    server.tokens.set('tok_other_workspace', 'other')
  })
  after(() => server.stop())
  beforeEach(() => {
    server.requests.length = 0
    waits.length = 0
  })

  it('round-trips content: create, update, read back; the server holds what was sent', async () => {
    const created = await client().createDiagram('Blog', 'Table a {\n  id int\n}\n')
    expect(created.id).to.match(/^[0-9a-f]{24}$/)
    expect(server.diagrams.get(created.id)).to.include({name: 'Blog', content: 'Table a {\n  id int\n}\n'})
    await client().updateDiagram(created.id, undefined, 'Table b {\n  "quote\'s" text\n}\n')
    expect(server.diagrams.get(created.id)).to.include({name: 'Blog', content: 'Table b {\n  "quote\'s" text\n}\n'})
    const read = await client().getDiagram(created.id)
    expect(read).to.include({id: created.id, name: 'Blog', content: 'Table b {\n  "quote\'s" text\n}\n'})
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.token}`)).to.deep.equal([
      `POST /v1/diagrams ${TOKEN}`,
      `PUT /v1/diagrams/${created.id} ${TOKEN}`,
      `GET /v1/diagrams/${created.id} ${TOKEN}`,
    ])
  })

  it('a wrong token is a config error (exit 3) that says how to get one, and never shows the token', async () => {
    const id = server.add('x')
    const error = await failure(client('tok_wrong_secret').getDiagram(id))
    expect(error.exit).to.equal(ExitCode.config)
    expect(error.message).to.contain('DBDIAGRAM_TOKEN was not accepted (401')
    expect(error.hint).to.contain('paid plans').and.contain('--to-file')
    expect(`${error.message} ${error.hint}`).not.to.contain('tok_wrong_secret')
  })

  it("another workspace's diagram is 403 and an unknown id is 404, both exit 3 naming DBDIAGRAM_DIAGRAM_ID", async () => {
    const id = server.add('x', {workspace: 'team'})
    const forbidden = await failure(client('tok_other_workspace').getDiagram(id))
    expect(forbidden.exit).to.equal(ExitCode.config)
    expect(forbidden.message).to.contain('(403)')
    const missing = await failure(client().getDiagram('0123456789abcdef01234567'))
    expect(missing.exit).to.equal(ExitCode.config)
    expect(missing.message).to.contain('no diagram at /diagrams/0123456789abcdef01234567 (404)')
    expect(missing.hint).to.contain('DBDIAGRAM_DIAGRAM_ID')
    const put = await failure(client().updateDiagram('0123456789abcdef01234567', undefined, 'x'))
    expect(put.message).to.contain('404')
    expect(server.diagrams.has('0123456789abcdef01234567')).to.equal(false)
  })

  it('waits for Retry-After on 429 and retries; the update then lands once', async () => {
    const id = server.add('old')
    server.rateLimited = {count: 2, retryAfter: '2'}
    await client().updateDiagram(id, undefined, 'new')
    expect(waits).to.deep.equal([2000, 2000])
    expect(server.requests.filter((r) => r.method === 'PUT')).to.have.length(3)
    expect(server.diagrams.get(id)!.content).to.equal('new')
  })

  it('really sleeps (default timer) for a short Retry-After', async () => {
    const id = server.add('slept')
    server.rateLimited = {count: 1, retryAfter: '1'}
    const started = Date.now()
    const read = await new DbdiagramClient({baseUrl: url, token: TOKEN}).getDiagram(id)
    expect(read.content).to.equal('slept')
    expect(Date.now() - started).to.be.at.least(950)
    expect(server.requests[1].at - server.requests[0].at).to.be.at.least(950)
  })

  it('gives up after the bounded retries, and at once when Retry-After exceeds the longest wait', async () => {
    const id = server.add('old')
    server.rateLimited = {count: 10, retryAfter: '1'}
    const error = await failure(client(TOKEN, {maxRetries: 2}).updateDiagram(id, undefined, 'new'))
    expect(error.message).to.contain('still rate limited after retrying (429)')
    expect(server.requests).to.have.length(3)
    expect(server.diagrams.get(id)!.content).to.equal('old')
    server.requests.length = 0
    server.rateLimited = {count: 1, retryAfter: '3600'}
    const long = await failure(client(TOKEN, {maxWaitMs: 60_000}).getDiagram(id))
    expect(long.message).to.contain('rate limited for 3600 s more')
    expect(server.requests).to.have.length(1)
    server.rateLimited.count = 0
  })

  it('waits before the next call when RateLimit-Remaining reaches 0, for RateLimit-Reset seconds', async () => {
    const id = server.add('x')
    const c = client()
    server.quota = {remaining: 0, reset: 2}
    await c.getDiagram(id)
    expect(waits).to.deep.equal([])
    await c.getDiagram(id)
    expect(waits).to.have.length(1)
    expect(waits[0]).to.be.within(1900, 2000)
  })

  it('accepts _id and a {data: …} envelope; a surprising field is an error naming it, and nothing is written', async () => {
    const id = server.add('Table t {\n  id int\n}\n')
    server.idField = '_id'
    expect((await client().getDiagram(id)).id).to.equal(id)
    server.idField = 'id'
    server.nextBody = {data: {id, content: 'Table u {\n  id int\n}\n'}}
    expect((await client().getDiagram(id)).content).to.equal('Table u {\n  id int\n}\n')
    server.nextBody = {id, name: 'x', content: 42}
    const wrongType = await failure(client().getDiagram(id))
    expect(wrongType.message).to.contain(
      `unexpected answer to GET /diagrams/${id}: field "content" should be the DBML text as a string, got number 42`,
    )
    server.nextBody = [{id, content: 'x'}]
    expect((await failure(client().getDiagram(id))).message).to.contain(
      'field "(body)" should be a JSON object, got an array',
    )
    server.nextBody = {name: 'new'}
    expect((await failure(client().createDiagram('new', 'x'))).message).to.contain(
      'POST /diagrams: field "id" should be a string id, got nothing',
    )
  })

  it('maps response bodies without a server: name must be a string, ids from the request when absent', () => {
    expect(toDiagram({content: 'x'}, 'GET', {id: 'abc', contentRequired: true})).to.deep.equal({
      id: 'abc',
      content: 'x',
    })
    expect(() => toDiagram({id: 'a', content: 'x', name: 7}, 'GET /diagrams/a', {contentRequired: true})).to.throw(
      'field "name" should be a string, got number 7',
    )
    expect(() => toDiagram('<html>', 'GET /diagrams/a', {contentRequired: true})).to.throw(
      'field "(body)" should be a JSON object, got string',
    )
  })

  it('a server that is not there is a connection error (exit 4)', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const dead = new DbdiagramClient({baseUrl: `http://127.0.0.1:${port}/v1`, token: TOKEN})
    const error = await failure(dead.getDiagram('0123456789abcdef01234567'))
    expect(error.exit).to.equal(ExitCode.connection)
    expect(error.message).to.match(/GET \/diagrams\/0123456789abcdef01234567 failed: ECONNREFUSED/)
  })
})
