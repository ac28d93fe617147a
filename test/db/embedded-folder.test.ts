/**
 * The embedded server's folder outside the project (as root, when the postgres user cannot reach
 * the project, data goes to /var/tmp/nself-embedded-<hash>, a name anyone can compute). A folder
 * someone else created there first, with links to files of ours in it, must be refused, and no
 * file nself writes (password file, server log, state) is ever written through a link.
 */
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {
  ensureEmbeddedServer,
  openServerLog,
  prepareServerDir,
  stopEmbeddedServer,
  writePrivateFile,
} from '../../src/db/embedded.js'

const isRoot = process.getuid?.() === 0

describe('embedded server folder: exclusive, never through links', function () {
  this.timeout(120_000)
  let base: string
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'nself-shared-'))
    chmodSync(base, 0o1777) // like /var/tmp: anyone may create entries
  })
  afterEach(() => rmSync(base, {recursive: true, force: true}))

  it('refuses a folder that already exists and is not ours, and touches nothing in it', () => {
    const victim = join(base, 'victim')
    writeFileSync(victim, 'precious\n', {mode: 0o644})
    const dir = join(base, 'nself-embedded-x')
    mkdirSync(dir)
    chmodSync(dir, 0o777)
    symlinkSync(victim, join(dir, '.pwfile'))
    expect(() => prepareServerDir(dir, undefined)).to.throw(/already exists and is not nself's.*mode 0777/)
    expect(readFileSync(victim, 'utf8')).to.equal('precious\n')
  })

  it('refuses a link in place of the folder', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'nself-elsewhere-'))
    try {
      chmodSync(elsewhere, 0o700)
      symlinkSync(elsewhere, join(base, 'nself-embedded-y'))
      expect(() => prepareServerDir(join(base, 'nself-embedded-y'), undefined)).to.throw(/is a symbolic link/)
    } finally {
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })

  it('creates the folder 0700 and accepts it again later', () => {
    const dir = join(base, 'nself-embedded-z')
    prepareServerDir(dir, undefined)
    expect(lstatSync(dir).mode & 0o777).to.equal(0o700)
    expect(() => prepareServerDir(dir, undefined)).to.not.throw()
  })

  it('writes the password file and the state file new, replacing a link instead of writing through it', () => {
    const victim = join(base, 'victim')
    writeFileSync(victim, 'precious\n', {mode: 0o644})
    const file = join(base, '.pwfile')
    symlinkSync(victim, file)
    writePrivateFile(file, 'secret\n')
    expect(readFileSync(victim, 'utf8')).to.equal('precious\n')
    expect(lstatSync(file).isFile()).to.equal(true)
    expect(lstatSync(file).mode & 0o777).to.equal(0o600)
    expect(readFileSync(file, 'utf8')).to.equal('secret\n')
  })

  it('never opens the server log through a link', () => {
    const victim = join(base, 'victim')
    writeFileSync(victim, 'precious\n', {mode: 0o644})
    symlinkSync(victim, join(base, 'server.log'))
    expect(() => openServerLog(join(base, 'server.log'), undefined)).to.throw(/server\.log.*link/)
    expect(readFileSync(victim, 'utf8')).to.equal('precious\n')
    expect(statSync(victim).mode & 0o777).to.equal(0o644)
  })
})

describe('embedded server fallback folder under /var/tmp (as root) @db', function () {
  this.timeout(120_000)

  it('refuses a pre-created /var/tmp folder holding links; the linked files stay as they were', async function () {
    if (!isRoot) {
      console.log('      (skipped: the /var/tmp fallback is only used as root; this run is not root)')
      this.skip()
    }
    const project = mkdtempSync(join(tmpdir(), 'nself-private-'))
    chmodSync(project, 0o700) // the postgres user cannot reach it: nself falls back to /var/tmp
    const stateDir = join(project, '.nself')
    const shared = join(
      '/var/tmp',
      `nself-embedded-${createHash('sha256').update(stateDir).digest('hex').slice(0, 12)}`,
    )
    const victim = join(project, 'root-only')
    writeFileSync(victim, 'precious\n', {mode: 0o600})
    try {
      mkdirSync(shared)
      chmodSync(shared, 0o777)
      symlinkSync(victim, join(shared, '.pwfile'))
      symlinkSync(victim, join(shared, 'server.log'))
      let error: Error | undefined
      await ensureEmbeddedServer(stateDir).catch((e: Error) => (error = e))
      expect(error?.message).to.match(/already exists and is not nself's/)
      expect(readFileSync(victim, 'utf8')).to.equal('precious\n')
      expect(statSync(victim).uid).to.equal(0)
    } finally {
      await stopEmbeddedServer(stateDir).catch(() => undefined)
      rmSync(shared, {recursive: true, force: true})
      rmSync(project, {recursive: true, force: true})
    }
  })

  it("creates its own /var/tmp folder (0700, the postgres user's) and starts there", async function () {
    if (!isRoot) {
      console.log('      (skipped: the /var/tmp fallback is only used as root; this run is not root)')
      this.skip()
    }
    const project = mkdtempSync(join(tmpdir(), 'nself-private-'))
    chmodSync(project, 0o700)
    const stateDir = join(project, '.nself')
    const shared = join(
      '/var/tmp',
      `nself-embedded-${createHash('sha256').update(stateDir).digest('hex').slice(0, 12)}`,
    )
    try {
      const server = await ensureEmbeddedServer(stateDir)
      expect(server.dataDir).to.equal(join(shared, 'data'))
      const st = lstatSync(shared)
      expect(st.mode & 0o777).to.equal(0o700)
      expect(st.uid).to.not.equal(0)
      expect(lstatSync(join(shared, 'server.log')).mode & 0o777).to.equal(0o600)
      expect(() => lstatSync(join(shared, '.pwfile'))).to.throw(/ENOENT/)
    } finally {
      await stopEmbeddedServer(stateDir).catch(() => undefined)
      rmSync(shared, {recursive: true, force: true})
      rmSync(project, {recursive: true, force: true})
    }
  })
})
