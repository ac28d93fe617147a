import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {parseSchema} from '../../../src/schema/parse.js'
import {HasuraClient, HasuraError} from '../src/lib/client.js'
import {desiredFromSchema, syncMetadata} from '../src/lib/sync.js'
import {type Catalog, FakeHasura} from './fake-hasura.js'

const SECRET = 'test-secret'
const source = readFileSync(new URL('fixtures/blog-hasura.dbml', import.meta.url), 'utf8')

async function blogCatalog(): Promise<Catalog> {
  const parsed = await parseSchema(source, 'database/schema.dbml')
  return new Map(parsed.model.tables.map((t) => [`${t.schema}.${t.name}`, t.columns.map((c) => c.name)]))
}

async function desired() {
  const parsed = await parseSchema(source, 'database/schema.dbml')
  return desiredFromSchema({file: 'database/schema.dbml', source, model: parsed.model})
}

describe('hasura metadata sync against a local Hasura metadata API', () => {
  let server: FakeHasura
  let client: HasuraClient
  let catalog: Catalog
  beforeEach(async () => {
    catalog = await blogCatalog()
    server = new FakeHasura({adminSecret: SECRET, catalog})
    client = new HasuraClient({endpoint: await server.start(), adminSecret: SECRET})
  })
  afterEach(() => server.stop())

  it('tracks every table with relationships and permissions; role user has exactly select on id,email; admin nothing', async () => {
    const result = await syncMetadata(client, await desired())
    expect(result.changed).to.equal(true)
    expect(result.tracked).to.have.members([
      'public.users',
      'public.posts',
      'public.comments',
      'public.categories',
      'public.tags',
      'public.post_tags',
    ])
    const users = server.table('users')!
    expect(users.select_permissions).to.deep.equal([{role: 'user', permission: {columns: ['id', 'email'], filter: {}}}])
    expect(JSON.stringify(server.metadata)).not.to.include('"role":"admin"')
    expect(users.array_relationships.find((r: any) => r.name === 'posts').using).to.deep.equal({
      foreign_key_constraint_on: {columns: ['author_id'], table: {name: 'posts', schema: 'public'}},
    })
    expect(server.table('posts')!.object_relationships).to.deep.include({
      name: 'author',
      using: {foreign_key_constraint_on: 'author_id'},
    })
    expect(result.inconsistent).to.deep.equal([])
  })

  it('run twice leaves byte-identical metadata and the same resource_version on the server', async () => {
    await syncMetadata(client, await desired())
    const first = JSON.stringify(server.metadata)
    const version = server.resourceVersion
    const again = await syncMetadata(client, await desired())
    expect(again.changed).to.equal(false)
    expect(JSON.stringify(server.metadata)).to.equal(first)
    expect(server.resourceVersion).to.equal(version)
  })

  it('retries a concurrent change between export and replace (409) and keeps it', async () => {
    let raced = false
    server.beforeReplace = () => {
      if (raced) return
      raced = true
      server.concurrentChange((m) => {
        m.remote_schemas = [{name: 'countries', definition: {url: 'https://countries.example/graphql'}}]
      })
    }
    const result = await syncMetadata(client, await desired())
    expect(result.attempts).to.equal(2)
    expect(server.metadata.remote_schemas).to.deep.equal([
      {name: 'countries', definition: {url: 'https://countries.example/graphql'}},
    ])
    expect(server.table('users')!.select_permissions).to.have.length(1)
  })

  it('gives up after the bounded attempts when the metadata keeps changing, replacing nothing', async () => {
    server.beforeReplace = () =>
      server.concurrentChange((m) => void (m.cron_triggers = [{name: `t${server.resourceVersion}`}]))
    const error = await syncMetadata(client, await desired(), {attempts: 3}).catch((e) => e)
    expect(error).to.be.instanceOf(HasuraError)
    expect(error.kind).to.equal('conflict')
    expect(server.tables()).to.deep.equal([])
  })

  it('keeps keys it does not own, untracks dropped tables of its schemas, leaves other schemas alone', async () => {
    await syncMetadata(client, await desired())
    catalog.set('auth.users', ['id'])
    server.concurrentChange((m) => {
      const users = m.sources[0].tables.find((t: any) => t.table.name === 'users')
      users.event_triggers = [
        {name: 'user_created', definition: {insert: {columns: '*'}}, webhook: 'http://hooks.example/user'},
      ]
      users.select_permissions.push({role: 'console_role', permission: {columns: ['id'], filter: {}}})
      m.sources[0].tables.push({table: {name: 'old_table', schema: 'public'}}, {table: {name: 'users', schema: 'auth'}})
    })
    await syncMetadata(client, await desired())
    const users = server.table('users')!
    expect(users.event_triggers[0].name).to.equal('user_created')
    // The permission lists are nself's: what the schema does not say is removed.
    expect(users.select_permissions.map((p: any) => p.role)).to.deep.equal(['user'])
    expect(server.table('old_table')).to.equal(undefined)
    expect(server.table('users', 'auth')).to.deep.equal({table: {name: 'users', schema: 'auth'}})
  })

  it('dry-run shows the changes and sends nothing', async () => {
    const result = await syncMetadata(client, await desired(), {dryRun: true})
    expect(result.diff).to.include('+++ b/metadata/databases/default/tables/public_users.yaml')
    expect(result.diff).to.include('+        - email')
    expect(server.tables()).to.deep.equal([])
    expect(server.resourceVersion).to.equal(1)
  })

  it('names the cause: 401 without the admin secret, unreachable server, 400 for admin permissions or unknown columns', async () => {
    const noSecret = new HasuraClient({endpoint: server.url})
    const unauthorized = await syncMetadata(noSecret, await desired()).catch((e) => e)
    expect(unauthorized.kind).to.equal('unauthorized')
    expect(unauthorized.message).to.include('invalid x-hasura-admin-secret')

    const gone = new FakeHasura({adminSecret: SECRET, catalog})
    const goneUrl = await gone.start()
    await gone.stop()
    const unreachable = await new HasuraClient({endpoint: goneUrl, adminSecret: SECRET})
      .exportMetadata()
      .catch((e) => e)
    expect(unreachable.kind).to.equal('unreachable')
    expect(unreachable.message).to.equal(`cannot reach Hasura at ${goneUrl}/v1/metadata: ECONNREFUSED`)

    const {metadata, resourceVersion} = await client.exportMetadata()
    const withAdmin = structuredClone(metadata)
    withAdmin.sources[0].tables.push({
      table: {name: 'users', schema: 'public'},
      select_permissions: [{role: 'admin', permission: {columns: ['id'], filter: {}}}],
    })
    const admin = await client.replaceMetadata(withAdmin, resourceVersion).catch((e) => e)
    expect(admin.kind).to.equal('rejected')
    expect(admin.message).to.include('cannot define permission for admin role')

    const badColumn = structuredClone(metadata)
    badColumn.sources[0].tables.push({
      table: {name: 'users', schema: 'public'},
      select_permissions: [{role: 'user', permission: {columns: ['shoe_size'], filter: {}}}],
    })
    const inconsistent = await client.replaceMetadata(badColumn, resourceVersion).catch((e) => e)
    expect(inconsistent.kind).to.equal('rejected')
    expect(inconsistent.message).to.include('column "shoe_size" does not exist')
    expect(server.tables()).to.deep.equal([])
  })

  it('reports what get_inconsistent_metadata lists after the replace', async () => {
    await syncMetadata(client, await desired())
    server.concurrentChange((m) => m.sources[0].tables.push({table: {name: 'legacy', schema: 'reports'}}))
    const result = await syncMetadata(client, await desired())
    expect(result.changed).to.equal(false)
    expect(result.inconsistent.map((o) => o.reason)).to.deep.equal([
      'Inconsistent object: no such table/view exists in source: "legacy"',
    ])
  })
})
