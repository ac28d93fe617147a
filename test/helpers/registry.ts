/**
 * A real npm registry on 127.0.0.1 for tests: verdaccio (6.8, the last release for Node 20), with no
 * uplinks (it serves only what a test publishes: nothing reaches the internet) and a record of every
 * request path, so a test can prove what was never looked up.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import type {Server} from 'node:http'

export interface TestRegistry {
  url: string
  /** Request paths, decoded (e.g. "/@nself/sdk", "/csv-parse/-/csv-parse-5.5.6.tgz"). */
  requests: string[]
  /** An .npmrc with this registry and a user's token (for npm publish). */
  npmrc: string
  stop(): Promise<void>
}

export async function startRegistry(dir: string): Promise<TestRegistry> {
  const {runServer} = (await import('verdaccio')) as unknown as {runServer: (config: object) => Promise<Server>}
  mkdirSync(join(dir, 'storage'), {recursive: true})
  const configuration = {
    self_path: join(dir, 'config.yaml'),
    storage: join(dir, 'storage'),
    auth: {htpasswd: {file: join(dir, 'htpasswd'), max_users: 10}},
    uplinks: {},
    packages: {'**': {access: '$all', publish: '$authenticated', unpublish: '$authenticated'}},
    log: {type: 'stdout', format: 'json', level: 'fatal'},
    web: {enable: false},
  }
  const server = await runServer(configuration)
  const requests: string[] = []
  server.prependListener('request', (req) => requests.push(decodeURIComponent(req.url ?? '')))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const token = await addUser(url)
  const npmrc = join(dir, 'npmrc')
  writeFileSync(npmrc, `registry=${url}\n//${url.slice('http://'.length)}:_authToken=${token}\n`)
  return {
    url,
    requests,
    npmrc,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** npm adduser, as the registry API has it: PUT /-/user/org.couchdb.user:<name>. */
async function addUser(url: string): Promise<string> {
  const response = await fetch(`${url}-/user/org.couchdb.user:tester`, {
    method: 'PUT',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({name: 'tester', password: 'tester-password-1', email: 'tester@example.com', type: 'user'}),
  })
  const body = (await response.json()) as {token?: string}
  if (!response.ok || !body.token) throw new Error(`test registry: cannot add a user (${response.status})`)
  return body.token
}
