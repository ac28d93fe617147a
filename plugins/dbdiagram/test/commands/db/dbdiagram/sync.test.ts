/**
 * push, pull and status through the real CLI (the plugin as bundled with nself), against a local
 * server implementing dbdiagram's API. "The remote" is the server's state, changed and read directly.
 */
import {expect} from 'chai'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FakeDbdiagram} from '../../../helpers/fake-dbdiagram.js'

const TOKEN = 'tok_e2e_5f9d2a7c31'
const BLOG = new URL('../../../fixtures/blog.dbml', import.meta.url).pathname
const blog = readFileSync(BLOG, 'utf8')
const REMOTE_TABLE = '\nTable newsletters {\n  id uuid [pk]\n  subject varchar(200) [not null]\n}\n'
const LOCAL_TABLE = '\nTable audit_log {\n  id bigint [pk, increment]\n  action text [not null]\n}\n'

type Run = {code: number; stdout: string; stderr: string}

describe('dbdiagram: push, pull and status through the CLI', function () {
  this.timeout(120_000)
  const server = new FakeDbdiagram()
  let api: string
  let runCli: (args: string[], options: {cwd: string; env: Record<string, string | undefined>}) => Promise<Run>

  before(async () => {
    api = await server.start()
    server.tokens.set(TOKEN, 'team')
    ;({runCli} = await import('../../../../../../test/helpers/cli.js'))
  })
  after(() => server.stop())

  function project(schema = blog): string {
    const dir = mkdtempSync(join(tmpdir(), 'nself-dbdiagram-'))
    mkdirSync(join(dir, 'database'))
    writeFileSync(join(dir, 'database', 'schema.dbml'), schema)
    return dir
  }
  const schemaOf = (dir: string) => readFileSync(join(dir, 'database', 'schema.dbml'), 'utf8')
  const nself = (dir: string, args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(['db', 'dbdiagram', ...args], {cwd: dir, env: {DBDIAGRAM_TOKEN: TOKEN, DBDIAGRAM_API_URL: api, ...env}})

  it('push → edit remotely → status says remote ahead → pull --force → schema.dbml equals the remote', async () => {
    const id = server.add('')
    const dir = project()
    // Settings from the project's .env, as for the core.
    writeFileSync(join(dir, '.env'), `DBDIAGRAM_DIAGRAM_ID=https://dbdiagram.io/d/Blog-${id}\n`)
    const pushed = await nself(dir, ['push'])
    expect(pushed.code, pushed.stderr).to.equal(0)
    expect(server.diagrams.get(id)!.content).to.equal(blog)
    expect(JSON.parse(readFileSync(join(dir, 'database', '.dbdiagram.json'), 'utf8'))).to.include({diagramId: id})

    server.diagrams.get(id)!.content = blog + REMOTE_TABLE
    const status = await nself(dir, ['status', '--json'])
    expect(status.code, status.stderr).to.equal(0)
    expect(JSON.parse(status.stdout)).to.include({status: 'remote-ahead', diagramId: id})
    expect((await nself(dir, ['status'])).stdout).to.contain('remote ahead')

    const refused = await nself(dir, ['pull'])
    expect(refused.code).to.equal(6)
    expect(refused.stderr).to.contain('without a terminal to confirm').and.contain('--force')
    expect(refused.stdout).to.contain('create table public.newsletters').and.contain('+Table newsletters {')
    expect(schemaOf(dir)).to.equal(blog)

    const pulled = await nself(dir, ['pull', '--force'])
    expect(pulled.code, pulled.stderr).to.equal(0)
    expect(schemaOf(dir)).to.equal(server.diagrams.get(id)!.content)
    expect(JSON.parse((await nself(dir, ['status', '--json'])).stdout).status).to.equal('in-sync')
    expect(server.requests.every((r) => r.token === TOKEN)).to.equal(true)
    expect(pushed.stdout + pushed.stderr + pulled.stdout + pulled.stderr + status.stdout).not.to.contain(TOKEN)
  })

  it('both sides changed → status, push and pull refuse, showing both diffs; neither side is touched', async () => {
    const id = server.add('')
    const dir = project()
    const env = {DBDIAGRAM_DIAGRAM_ID: id}
    expect((await nself(dir, ['push'], env)).code).to.equal(0)
    writeFileSync(join(dir, 'database', 'schema.dbml'), blog + LOCAL_TABLE)
    server.diagrams.get(id)!.content = blog + REMOTE_TABLE

    const status = await nself(dir, ['status'], env)
    expect(status.code).to.equal(0)
    expect(status.stdout).to.contain('both changed')
    for (const r of [status, await nself(dir, ['push', '--force'], env), await nself(dir, ['pull', '--force'], env)]) {
      expect(r.stdout)
        .to.contain('Changed in database/schema.dbml since the last sync:')
        .and.contain('+Table audit_log {')
      expect(r.stdout).to.contain(`Changed in dbdiagram ${id} since the last sync:`).and.contain('+Table newsletters {')
      if (r !== status) {
        expect(r.code).to.equal(6)
        expect(r.stderr).to.contain('both changed since the last sync').and.contain('--overwrite')
      }
    }
    expect(schemaOf(dir)).to.equal(blog + LOCAL_TABLE)
    expect(server.diagrams.get(id)!.content).to.equal(blog + REMOTE_TABLE)

    // Merged by hand, then pushed over the diagram on purpose.
    writeFileSync(join(dir, 'database', 'schema.dbml'), blog + LOCAL_TABLE + REMOTE_TABLE)
    const merged = await nself(dir, ['push', '--overwrite', '--force'], env)
    expect(merged.code, merged.stderr).to.equal(0)
    expect(server.diagrams.get(id)!.content).to.equal(blog + LOCAL_TABLE + REMOTE_TABLE)
  })

  it('one-sided changes: push when local is ahead needs no question; the side that did not move is never written over', async () => {
    const id = server.add('')
    const dir = project()
    const env = {DBDIAGRAM_DIAGRAM_ID: id}
    expect((await nself(dir, ['push'], env)).code).to.equal(0)
    writeFileSync(join(dir, 'database', 'schema.dbml'), blog + LOCAL_TABLE)
    const pull = await nself(dir, ['pull', '--force'], env)
    expect(pull.code).to.equal(6)
    expect(pull.stderr).to.contain('refusing to pull').and.contain('dbdiagram push')
    expect(schemaOf(dir)).to.equal(blog + LOCAL_TABLE)
    const push = await nself(dir, ['push'], env)
    expect(push.code, push.stderr).to.equal(0)
    expect(server.diagrams.get(id)!.content).to.equal(blog + LOCAL_TABLE)

    server.diagrams.get(id)!.content = blog
    const pushBack = await nself(dir, ['push', '--force'], env)
    expect(pushBack.code).to.equal(6)
    expect(pushBack.stderr).to.contain('refusing to push').and.contain('dbdiagram pull')
    expect(server.diagrams.get(id)!.content).to.equal(blog)
  })

  it('without a diagram id, push creates one and remembers it; without a token it says how to get one', async () => {
    const dir = project()
    const before = new Set(server.diagrams.keys())
    const created = await nself(dir, ['push', '--name', 'Blog schema'])
    expect(created.code, created.stderr).to.equal(0)
    const ids = [...server.diagrams.keys()].filter((k) => !before.has(k))
    expect(ids).to.have.length(1)
    expect(server.diagrams.get(ids[0])).to.include({name: 'Blog schema', content: blog})
    expect(created.stdout).to.contain(`DBDIAGRAM_DIAGRAM_ID=${ids[0]}`)
    expect(JSON.parse((await nself(dir, ['status', '--json'])).stdout)).to.include({
      status: 'in-sync',
      diagramId: ids[0],
    })

    const noToken = await nself(dir, ['status'], {DBDIAGRAM_TOKEN: undefined})
    expect(noToken.code).to.equal(3)
    expect(noToken.stderr)
      .to.contain('DBDIAGRAM_TOKEN is not set')
      .and.contain('paid plans')
      .and.contain('--to-file')
      .and.contain('--from-file')
  })

  it('offline: push --to-file writes the DBML; pull --from-file validates, diffs and confirms the same way', async () => {
    const dir = project()
    const env = {DBDIAGRAM_TOKEN: undefined, DBDIAGRAM_API_URL: undefined}
    const out = join(dir, 'paste-me.dbml')
    const written = await nself(dir, ['push', '--to-file', out], env)
    expect(written.code, written.stderr).to.equal(0)
    expect(readFileSync(out, 'utf8')).to.equal(blog)

    const exported = join(dir, 'exported.dbml')
    writeFileSync(exported, blog + REMOTE_TABLE)
    expect(JSON.parse((await nself(dir, ['status', '--from-file', exported, '--json'], env)).stdout).status).to.equal(
      'remote-ahead',
    )
    const refused = await nself(dir, ['pull', '--from-file', exported], env)
    expect(refused.code).to.equal(6)
    expect(refused.stdout).to.contain('create table public.newsletters')
    const pulled = await nself(dir, ['pull', '--from-file', exported, '--force'], env)
    expect(pulled.code, pulled.stderr).to.equal(0)
    expect(schemaOf(dir)).to.equal(blog + REMOTE_TABLE)

    const broken = join(dir, 'broken.dbml')
    writeFileSync(broken, 'Table t {\n  id int [pk]\n  n varchr\n}\n')
    const invalid = await nself(dir, ['pull', '--from-file', broken, '--force'], env)
    expect(invalid.code).to.equal(5)
    expect(invalid.stderr).to.contain("broken.dbml:3:3: error: Unknown data type 'varchr'")
    expect(schemaOf(dir)).to.equal(blog + REMOTE_TABLE)
  })

  it('a diagram whose DBML does not validate is not pulled (exit 5, located errors)', async () => {
    const id = server.add('Table t {\n  id int [pk]\n  owner_id int [ref: > owners.id]\n}\n')
    const dir = project()
    const r = await nself(dir, ['pull', '--force', '--diagram', id])
    expect(r.code).to.equal(5)
    expect(r.stderr).to.match(new RegExp(`dbdiagram ${id}:3:\\d+: error:`))
    expect(schemaOf(dir)).to.equal(blog)
    expect(existsSync(join(dir, 'database', '.dbdiagram.json'))).to.equal(false)
  })

  it('never writes through a symbolic link it did not make', async () => {
    const id = server.add(blog + REMOTE_TABLE)
    const dir = project()
    const target = join(dir, 'elsewhere.dbml')
    copyFileSync(BLOG, target)
    const schema = join(dir, 'database', 'schema.dbml')
    writeFileSync(schema, '')
    const {rmSync} = await import('node:fs')
    rmSync(schema)
    symlinkSync(target, schema)
    const r = await nself(dir, ['pull', '--force', '--diagram', id])
    expect(r.code).to.equal(6)
    expect(r.stderr).to.contain('database/schema.dbml is a symbolic link: refusing to write through it')
    expect(readFileSync(target, 'utf8')).to.equal(blog)
  })

  it('in a terminal, pull asks first: "n" leaves schema.dbml alone, "y" writes it', async function () {
    const tty = await import('../../../../../../test/helpers/tty.js')
    if (!tty.hasScript) {
      console.log('      (skipped: util-linux `script` is not installed, so no terminal can be simulated)')
      this.skip()
    }
    const id = server.add(blog + REMOTE_TABLE)
    const dir = project()
    const env = {DBDIAGRAM_TOKEN: TOKEN, DBDIAGRAM_API_URL: api, DBDIAGRAM_DIAGRAM_ID: id}
    const no = await tty.runInTerminal(['db', 'dbdiagram', 'pull'], {cwd: dir, env, answers: [['Continue?', 'n\r']]})
    expect(no.code).to.equal(6)
    expect(no.output).to.contain('create table public.newsletters').and.contain('cancelled: nothing was changed')
    expect(schemaOf(dir)).to.equal(blog)
    const yes = await tty.runInTerminal(['db', 'dbdiagram', 'pull'], {cwd: dir, env, answers: [['Continue?', 'y\r']]})
    expect(yes.code, yes.output).to.equal(0)
    expect(schemaOf(dir)).to.equal(blog + REMOTE_TABLE)
  })

  it('401, 404 and a bad diagram id are config errors (exit 3) with what to do', async () => {
    const dir = project()
    const wrongToken = await nself(dir, ['status', '--diagram', server.add(blog)], {
      DBDIAGRAM_TOKEN: 'tok_not_valid_xyz',
    })
    expect(wrongToken.code).to.equal(3)
    expect(wrongToken.stderr).to.contain('was not accepted (401').and.not.contain('tok_not_valid_xyz')
    const unknown = await nself(dir, ['status'], {DBDIAGRAM_DIAGRAM_ID: 'ffffffffffffffffffffffff'})
    expect(unknown.code).to.equal(3)
    expect(unknown.stderr).to.contain('(404)').and.contain('DBDIAGRAM_DIAGRAM_ID')
    writeFileSync(join(dir, '.env.local'), 'DBDIAGRAM_DIAGRAM_ID=not-an-id\n')
    const bad = await nself(dir, ['status'])
    expect(bad.code).to.equal(3)
    expect(bad.stderr).to.contain('DBDIAGRAM_DIAGRAM_ID="not-an-id" in .env.local is not a diagram id')
  })
})
