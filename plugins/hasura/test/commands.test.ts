import {expect} from 'chai'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {parse} from 'yaml'
import {runCli} from '../../../test/helpers/cli.js'
import {freshDatabase, type TestDatabase} from '../../../test/helpers/db.js'
import {catalogOf, FakeHasura} from './fake-hasura.js'

const SECRET = 'cli-secret'
const BLOG = readFileSync(new URL('fixtures/blog-hasura.dbml', import.meta.url), 'utf8')
const META = 'hasura/metadata'

function project(schema = BLOG, env = ''): string {
  const root = mkdtempSync(join(tmpdir(), 'nself-hasura-'))
  mkdirSync(join(root, 'database', 'migrations'), {recursive: true})
  writeFileSync(join(root, 'database', 'schema.dbml'), schema)
  writeFileSync(join(root, '.env.local'), env)
  return root
}

/** Every file under dir: path → [text, mtime]. */
function snapshot(dir: string): Map<string, [string, number]> {
  const files = new Map<string, [string, number]>()
  const walk = (d: string) => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else files.set(relative(dir, p), [readFileSync(p, 'utf8'), statSync(p).mtimeMs])
    }
  }
  walk(dir)
  return files
}

const tableYaml = (root: string, name: string) =>
  parse(readFileSync(join(root, META, 'databases/default/tables', `public_${name}.yaml`), 'utf8'))

describe('nself db hasura:permissions / hasura:export / validate (Hasura plugin)', () => {
  it('writes the metadata directory: user selects exactly id,email, no admin entry, users.posts on posts.author_id', async () => {
    const root = project()
    const r = await runCli(['db', 'hasura:permissions'], {cwd: root})
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stderr).to.include('role admin skipped')
    expect(readFileSync(join(root, META, 'version.yaml'), 'utf8')).to.equal('version: 3\n')
    expect(parse(readFileSync(join(root, META, 'databases/databases.yaml'), 'utf8'))[0].tables).to.equal(
      '!include default/tables/tables.yaml',
    )
    expect(parse(readFileSync(join(root, META, 'databases/default/tables/tables.yaml'), 'utf8'))).to.deep.equal(
      ['categories', 'comments', 'post_tags', 'posts', 'tags', 'users'].map((t) => `!include public_${t}.yaml`),
    )
    const users = tableYaml(root, 'users')
    expect(users.select_permissions).to.deep.equal([{role: 'user', permission: {columns: ['id', 'email'], filter: {}}}])
    expect(JSON.stringify(users)).not.to.include('admin')
    expect(users.array_relationships).to.deep.include({
      name: 'posts',
      using: {foreign_key_constraint_on: {columns: ['author_id'], table: {name: 'posts', schema: 'public'}}},
    })
  })

  it('a second run changes no byte; a hand-added key survives; removed tables and annotations are removed', async () => {
    const root = project()
    expect((await runCli(['db', 'hasura:permissions'], {cwd: root})).code).to.equal(0)
    const first = snapshot(join(root, META))
    const again = await runCli(['db', 'hasura:permissions'], {cwd: root})
    expect(again.stdout).to.include('is up to date')
    expect(snapshot(join(root, META))).to.deep.equal(first)

    const usersFile = join(root, META, 'databases/default/tables/public_users.yaml')
    const handEdited =
      readFileSync(usersFile, 'utf8') +
      'event_triggers:\n  - name: user_created\n    definition:\n      insert:\n        columns: "*"\n    webhook: http://hooks.example/user\n'
    writeFileSync(usersFile, handEdited)
    expect((await runCli(['db', 'hasura:permissions'], {cwd: root})).code).to.equal(0)
    expect(readFileSync(usersFile, 'utf8')).to.equal(handEdited)

    const trimmed = BLOG.replace('  // hasura:permissions user:select[id,email] admin:*\n', '')
      .replace(/\/\/ Tags table\nTable tags \{[\s\S]*?\n\}\n/, '')
      .replace('  tag_id uuid [ref: > tags.id]\n', '  tag_id uuid\n')
      .replace('  tags\n  post_tags', '  post_tags')
    writeFileSync(join(root, 'database', 'schema.dbml'), trimmed)
    const dry = await runCli(['db', 'hasura:permissions', '--dry-run'], {cwd: root})
    expect(dry.code, dry.stderr).to.equal(0)
    expect(dry.stdout).to.include('-  - role: user')
    expect(dry.stdout).to.include('+++ /dev/null')
    expect(readFileSync(usersFile, 'utf8')).to.equal(handEdited) // --dry-run wrote nothing
    expect((await runCli(['db', 'hasura:permissions'], {cwd: root})).code).to.equal(0)
    const users = tableYaml(root, 'users')
    expect(users).not.to.have.property('select_permissions')
    expect(users.event_triggers[0].name).to.equal('user_created')
    expect(existsSync(join(root, META, 'databases/default/tables/public_tags.yaml'))).to.equal(false)
  })

  it('names file:line:col for a bad annotation, in hasura:permissions and in db validate (exit 5)', async () => {
    const root = project(BLOG.replace('user:select[id,email]', 'user:select[id,emial]'))
    const r = await runCli(['db', 'hasura:permissions'], {cwd: root})
    expect(r.code).to.equal(5)
    expect(r.stderr).to.include(
      'database/schema.dbml:18:40: error: unknown column "emial" in table users (hasura-annotation)',
    )
    expect(existsSync(join(root, META))).to.equal(false)
    const v = await runCli(['db', 'validate'], {cwd: root})
    expect(v.code).to.equal(5)
    expect(v.stdout).to.include(
      'database/schema.dbml:18:40: error: unknown column "emial" in table users (hasura-annotation)',
    )
  })

  describe('hasura:export', () => {
    let server: FakeHasura
    beforeEach(async () => {
      server = new FakeHasura({adminSecret: SECRET, catalog: new Map([['public.users', ['id', 'email']]])})
      await server.start()
      server.concurrentChange((m) => {
        m.sources[0].tables.push({
          table: {name: 'users', schema: 'public'},
          select_permissions: [{role: 'viewer', permission: {columns: ['id'], filter: {}}}],
        })
        m.remote_schemas = [{name: 'countries', definition: {url: 'https://countries.example/graphql'}}]
      })
    })
    afterEach(() => server.stop())

    it('writes the live metadata in the same layout; a rerun changes nothing', async () => {
      const root = project(
        'Table users {\n  id int [pk]\n  email text\n}\n',
        `HASURA_GRAPHQL_ENDPOINT=${server.url}\nHASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\n`,
      )
      const r = await runCli(['db', 'hasura:export'], {cwd: root})
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stdout + r.stderr).not.to.include(SECRET)
      expect(tableYaml(root, 'users').select_permissions[0].role).to.equal('viewer')
      expect(parse(readFileSync(join(root, META, 'remote_schemas.yaml'), 'utf8'))[0].name).to.equal('countries')
      const first = snapshot(join(root, META))
      expect((await runCli(['db', 'hasura:export'], {cwd: root})).stdout).to.include('already matches Hasura')
      expect(snapshot(join(root, META))).to.deep.equal(first)
    })

    it('exit 3 when Hasura refuses the admin secret, exit 4 when it cannot be reached', async () => {
      const root = project(
        'Table users {\n  id int [pk]\n}\n',
        `HASURA_GRAPHQL_ENDPOINT=${server.url}\nHASURA_GRAPHQL_ADMIN_SECRET=wrong\n`,
      )
      const refused = await runCli(['db', 'hasura:export'], {cwd: root})
      expect(refused.code).to.equal(3)
      expect(refused.stderr).to.include('Hasura refused the admin secret (401)')
      const gone = await runCli(['db', 'hasura:export'], {
        cwd: root,
        env: {HASURA_GRAPHQL_ENDPOINT: 'http://127.0.0.1:1'},
      })
      expect(gone.code).to.equal(4)
      expect(gone.stderr).to.include('cannot reach Hasura at http://127.0.0.1:1/v1/metadata')
    })
  })
})

describe('nself db migrate:up with HASURA_AUTO_UPDATE=true (Hasura plugin) @db', () => {
  let db: TestDatabase
  let server: FakeHasura
  let root: string
  const SCHEMA = `Table users {\n  id int [pk]\n  email text\n  // hasura:permissions user:select[id,email] admin:*\n  // hasura:relationship posts[author_id->id]\n}\nTable posts {\n  id int [pk]\n  author_id int [ref: > users.id]\n  // hasura:permissions user:select,update[id] where author_id = X-Hasura-User-Id\n}\n`
  beforeEach(async () => {
    db = await freshDatabase('nself_hasura')
    server = new FakeHasura({adminSecret: SECRET, catalog: () => catalogOf((sql) => db.query(sql))})
    await server.start()
    root = project(SCHEMA, `HASURA_GRAPHQL_ENDPOINT=${server.url}\nHASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\n`)
    writeFileSync(
      join(root, 'database/migrations/001_blog.up.sql'),
      'CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE TABLE posts (id int PRIMARY KEY, author_id int REFERENCES users (id));\n',
    )
    writeFileSync(join(root, 'database/migrations/001_blog.down.sql'), 'DROP TABLE posts;\nDROP TABLE users;\n')
  })
  afterEach(async () => {
    await server.stop()
    await db.drop()
  })

  it('updates the metadata after the migrations; a second run leaves it byte-identical', async () => {
    const up = await runCli(['db', 'migrate:up'], {cwd: root, env: {...db.env, HASURA_AUTO_UPDATE: 'true'}})
    expect(up.code, up.stderr).to.equal(0)
    expect(up.stderr).to.include('Updated Hasura metadata')
    expect(server.table('users')!.select_permissions).to.deep.equal([
      {role: 'user', permission: {columns: ['id', 'email'], filter: {}}},
    ])
    expect(server.table('posts')!.update_permissions).to.deep.equal([
      {role: 'user', permission: {columns: ['id'], filter: {author_id: {_eq: 'X-Hasura-User-Id'}}}},
    ])
    const held = JSON.stringify(server.metadata)
    const version = server.resourceVersion
    // The hooks fire only when there is something to migrate: roll back (not a metadata step), then up again.
    expect(
      (await runCli(['db', 'migrate:down', '--force'], {cwd: root, env: {...db.env, HASURA_AUTO_UPDATE: 'true'}})).code,
    ).to.equal(0)
    const again = await runCli(['db', 'migrate:up'], {cwd: root, env: {...db.env, HASURA_AUTO_UPDATE: 'true'}})
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stderr).to.include('Hasura metadata is up to date.')
    expect(JSON.stringify(server.metadata)).to.equal(held)
    expect(server.resourceVersion).to.equal(version)
  })

  it('exit 7 when Hasura refuses the secret; the migrations stay applied', async () => {
    const up = await runCli(['db', 'migrate:up'], {
      cwd: root,
      env: {...db.env, HASURA_AUTO_UPDATE: 'true', HASURA_GRAPHQL_ADMIN_SECRET: 'wrong'},
    })
    expect(up.code).to.equal(7)
    expect(up.stderr).to.include(
      "the migrations are applied, but Hasura's metadata was not updated: Hasura refused the admin secret (401)",
    )
    expect(up.stderr).not.to.include('wrong')
    expect((await db.query("SELECT to_regclass('posts')::text AS t")).rows[0].t).to.equal('posts')
    expect(server.tables()).to.deep.equal([])
  })

  it('without HASURA_AUTO_UPDATE (or the flag) Hasura is not touched', async () => {
    const up = await runCli(['db', 'migrate:up'], {cwd: root, env: db.env})
    expect(up.code, up.stderr).to.equal(0)
    expect(server.resourceVersion).to.equal(1)
    expect(server.tables()).to.deep.equal([])
  })
})
