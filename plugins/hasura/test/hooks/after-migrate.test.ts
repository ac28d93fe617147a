import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import type {AfterMigrateOptions, ProjectInfo} from '@nself/sdk/hooks'
import {parseSchema} from '../../../../src/schema/parse.js'
import hook from '../../src/hooks/after-migrate.js'
import {FakeHasura} from '../fake-hasura.js'

const SECRET = 'hook-secret'
const source = readFileSync(new URL('../fixtures/blog-hasura.dbml', import.meta.url), 'utf8')

/** Calls the hook as oclif would, with a config whose loadProject answer is the core's shape. */
async function runHook(options: Partial<AfterMigrateOptions>, env: Record<string, string>): Promise<void> {
  const parsed = await parseSchema(source, 'database/schema.dbml')
  const project: ProjectInfo = {
    root: '/nowhere',
    environment: 'development',
    env,
    sources: {},
    schema: {
      path: '/nowhere/database/schema.dbml',
      file: 'database/schema.dbml',
      source,
      model: parsed.model,
      errors: [],
    },
  }
  const config = {runHook: async () => ({successes: [{result: project, plugin: {name: 'nself'}}], failures: []})}
  const base: AfterMigrateOptions = {
    direction: 'up',
    migrations: [],
    applied: [],
    environment: 'development',
    database: 'app',
    dryRun: false,
    flags: {},
    command: 'db:migrate:up',
  }
  await (hook as unknown as (this: unknown, o: unknown) => Promise<void>).call({config}, {...base, ...options})
}

describe('afterMigrate hook of the Hasura plugin', () => {
  let server: FakeHasura
  let env: Record<string, string>
  const exitCode = process.exitCode
  beforeEach(async () => {
    const parsed = await parseSchema(source, 'database/schema.dbml')
    server = new FakeHasura({
      adminSecret: SECRET,
      catalog: new Map(parsed.model.tables.map((t) => [`${t.schema}.${t.name}`, t.columns.map((c) => c.name)])),
    })
    env = {HASURA_GRAPHQL_ENDPOINT: await server.start(), HASURA_GRAPHQL_ADMIN_SECRET: SECRET}
  })
  afterEach(async () => {
    process.exitCode = exitCode
    await server.stop()
  })

  it('acts on options.flags["update-hasura"] (the flag the plugin adds to migrate:up)', async () => {
    await runHook({flags: {'update-hasura': true}}, env)
    expect(server.table('users')!.select_permissions).to.deep.equal([
      {role: 'user', permission: {columns: ['id', 'email'], filter: {}}},
    ])
  })

  it('does nothing without the flag or HASURA_AUTO_UPDATE, after a rollback, or with --dry-run (it only shows)', async () => {
    await runHook({flags: {'update-hasura': false}}, env)
    await runHook({direction: 'down', flags: {'update-hasura': true}}, env)
    await runHook({dryRun: true}, {...env, HASURA_AUTO_UPDATE: 'true'})
    expect(server.tables()).to.deep.equal([])
    expect(server.resourceVersion).to.equal(1)
  })

  it('fails with exit code 7 and the cause when Hasura cannot be reached', async () => {
    await server.stop()
    const error = await runHook({}, {...env, HASURA_AUTO_UPDATE: 'true'}).catch((e) => e)
    expect(error.exit).to.equal(7)
    expect(error.code).to.equal('NSELF_HASURA_METADATA')
    expect(error.message).to.match(
      /^the migrations are applied, but Hasura's metadata was not updated: cannot reach Hasura at .*ECONNREFUSED/,
    )
    // The core ends the command with the error's exit code; the hook leaves process.exitCode alone.
    expect(process.exitCode).to.equal(exitCode)
  })
})
