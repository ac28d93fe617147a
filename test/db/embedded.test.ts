import {expect} from 'chai'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {embeddedStatus, stopEmbeddedServer} from '../../src/db/embedded.js'
import {runCli} from '../helpers/cli.js'

describe('embedded PostgreSQL server (no database configured) @db', function () {
  this.timeout(120_000)
  const project = mkdtempSync(join(tmpdir(), 'nself-embedded-'))
  chmodSync(project, 0o755)
  const stateDir = join(project, '.nself')
  mkdirSync(stateDir) // marks the folder as a project
  after(async () => {
    await stopEmbeddedServer(stateDir)
    rmSync(project, {recursive: true, force: true})
  })

  it('two commands started at once share one server on the same data', async () => {
    const [a, b] = await Promise.all([
      runCli(['db', 'ping', '--json'], {cwd: project}),
      runCli(['db', 'ping', '--json'], {cwd: project}),
    ])
    expect(a.code, a.stderr).to.equal(0)
    expect(b.code, b.stderr).to.equal(0)
    // Exactly one of them initialised and started the server; the other waited for it.
    expect(
      (a.stderr.match(/Started the embedded/g) ?? []).length + (b.stderr.match(/Started the embedded/g) ?? []).length,
    ).to.equal(1)
    const status = embeddedStatus(stateDir)
    expect(status).to.include({initialised: true, running: true})
    const postmasterPids = readFileSync(join(status.dataDir!, 'postmaster.pid'), 'utf8').split('\n')[0]
    expect(Number(postmasterPids)).to.be.above(0)
  })

  it('keeps its password to itself: state file 0600, never in any output', async () => {
    const state = JSON.parse(readFileSync(join(stateDir, 'embedded.json'), 'utf8'))
    expect(state.password).to.have.length.above(16)
    expect(statSync(join(stateDir, 'embedded.json')).mode & 0o777).to.equal(0o600)
    const outputs = await Promise.all([
      runCli(['db', 'info'], {cwd: project}),
      runCli(['db', 'info', '--json', '--debug'], {cwd: project, env: {NSELF_DEBUG: 'true'}}),
      runCli(['db', 'ping', '--verbose'], {cwd: project}),
    ])
    for (const out of outputs) {
      expect(out.code, out.stderr).to.equal(0)
      expect(out.stdout + out.stderr).not.to.include(state.password)
    }
    const info = JSON.parse(outputs[1].stdout)
    expect(info).to.include({mode: 'embedded', host: '127.0.0.1', port: state.port, password: '********'})
  })

  it('listens on 127.0.0.1 only and keeps its data in the project', async () => {
    const out = await runCli(['db', 'start', '--json'], {cwd: project})
    expect(out.code, out.stderr).to.equal(0)
    const {dataDir} = JSON.parse(out.stdout)
    expect(existsSync(join(dataDir, 'PG_VERSION'))).to.equal(true)
    expect(dataDir.startsWith(project) || dataDir.startsWith('/var/tmp/nself-embedded-')).to.equal(true)
    const conf = readFileSync(join(dataDir, 'postmaster.opts'), 'utf8')
    expect(conf).to.include('listen_addresses=127.0.0.1')
  })

  it('stops with db stop and starts again on demand', async () => {
    const stop = await runCli(['db', 'stop'], {cwd: project})
    expect(stop.stdout).to.include('Stopped the embedded PostgreSQL server.')
    expect(embeddedStatus(stateDir).running).to.equal(false)
    const again = await runCli(['db', 'stop'], {cwd: project})
    expect(again.stdout).to.include('was not running')
    const ping = await runCli(['db', 'ping'], {cwd: project})
    expect(ping.code, ping.stderr).to.equal(0)
    expect(ping.stderr).to.include('Started the embedded PostgreSQL server')
    expect(embeddedStatus(stateDir).running).to.equal(true)
  })

  it('restarts a server killed with kill -9 within the next command, zombie or not', async () => {
    const status = embeddedStatus(stateDir)
    const pid = Number(readFileSync(join(status.dataDir!, 'postmaster.pid'), 'utf8').split('\n')[0])
    process.kill(pid, 'SIGKILL')
    const ping = await runCli(['db', 'ping'], {cwd: project})
    expect(ping.code, ping.stderr).to.equal(0)
    expect(ping.stderr).to.include('Started the embedded PostgreSQL server')
    const after = Number(readFileSync(join(status.dataDir!, 'postmaster.pid'), 'utf8').split('\n')[0])
    expect(after).to.not.equal(pid)
  })
})
