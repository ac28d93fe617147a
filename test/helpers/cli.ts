/**
 * Runs the real CLI (bin/run.js, so the argv handling is tested too) as a child process,
 * with an isolated oclif data directory and a project folder of the test's choosing.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const ROOT = new URL('../..', import.meta.url).pathname
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

export interface CliOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
}

const xdg = mkdtempSync(join(tmpdir(), 'nself-test-xdg-'))

/** Environment for a child nself: no inherited database settings, an isolated plugin data dir. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env}
  for (const key of Object.keys(env)) {
    if (/^(POSTGRES_|DATABASE_URL|DB_|ENVIRONMENT$|NSELF_)/.test(key)) delete env[key]
  }
  return {
    ...env,
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    XDG_CONFIG_HOME: join(xdg, 'config'),
    NODE_ENV: 'production',
    // CI=true makes colour libraries emit ANSI codes; tests compare plain text.
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...extra,
  }
}

/**
 * Commands that verify on a throwaway database (db run, validate --deep / --check-down) get the
 * harness server as NSELF_VERIFY_DATABASE_URL: without it each temporary project would start an
 * embedded server of its own and leave it running.
 */
export async function verifyEnv(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Record<string, string | undefined>> {
  const verifies =
    args.includes('run') || args.includes('db:run') || args.includes('--deep') || args.includes('--check-down')
  if (!verifies || 'NSELF_VERIFY_DATABASE_URL' in env || args.includes('--no-verify')) return env
  const {serverUrl} = await import('./db.js')
  return {...env, NSELF_VERIFY_DATABASE_URL: await serverUrl()}
}

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const started = Date.now()
  const env = await verifyEnv(args, options.env)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? -1, stdout, stderr, ms: Date.now() - started})
    })
    child.stdin.end(options.input ?? '')
  })
}
