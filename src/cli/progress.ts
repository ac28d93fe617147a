/**
 * Progress of a migrate run: one line per migration with its time. listr2 (imported lazily, it
 * costs ~90 ms) on a terminal; plain lines when output is not a terminal, with --verbose or
 * --show-sql (statements would tangle with the live renderer); nothing on stdout with --json.
 */
import type {PlannedMigration, Reporter} from '../runner/index.js'

export interface ProgressOptions {
  json: boolean
  showSql: boolean
  verbose: boolean
  debug: boolean
  log(line: string): void
  logToStderr(line: string): void
  debugLog(line: string): void
}

export interface Progress extends Reporter {
  start(planned: PlannedMigration[]): Promise<void>
  finish(): Promise<void>
}

export function label(m: PlannedMigration): string {
  return `${m.direction === 'up' ? 'apply' : 'roll back'} ${m.version}_${m.name}`
}

export function createProgress(options: ProgressOptions): Progress {
  const plain = options.json || options.showSql || options.verbose || options.debug || !process.stdout.isTTY
  return plain ? plainProgress(options) : listrProgress(options)
}

function plainProgress(options: ProgressOptions): Progress {
  const out = options.json ? () => {} : options.log
  return {
    async start() {},
    async finish() {},
    migrationStart: options.verbose ? (m) => out(`… ${label(m)}: ${m.file}, ${describePlan(m)}`) : undefined,
    migrationDone: (m, ms) => out(`✔ ${label(m)} (${ms} ms)`),
    migrationFailed: (m) => out(`✖ ${label(m)}`),
    statement: options.showSql && !options.json ? (m, s) => out(`-- ${m.version}_${m.name}:${s.line}\n${s.sql};`) : undefined,
    notice: (message) => options.logToStderr(message),
    debug: (message) => options.debugLog(message),
  }
}

interface Deferred {
  promise: Promise<number>
  resolve(ms: number): void
  reject(error: Error): void
}

function deferred(): Deferred {
  let resolve!: (ms: number) => void
  let reject!: (error: Error) => void
  const promise = new Promise<number>((res, rej) => ((resolve = res), (reject = rej)))
  promise.catch(() => {}) // failures are reported by the runner's error, not as unhandled rejections
  return {promise, resolve, reject}
}

/** listr2 runs the tasks in order; each task waits for the runner to report its migration. */
function listrProgress(options: ProgressOptions): Progress {
  const waits = new Map<string, Deferred>()
  let running: Promise<unknown> = Promise.resolve()
  return {
    async start(planned) {
      const {Listr} = await import('listr2')
      for (const m of planned) waits.set(m.version, deferred())
      const tasks = planned.map((m) => ({
        title: label(m),
        task: async (_ctx: unknown, task: {title: string}) => {
          const ms = await waits.get(m.version)!.promise
          task.title = `${label(m)} (${ms} ms)`
        },
      }))
      running = new Listr(tasks, {exitOnError: true, collectErrors: false}).run().catch(() => {})
    },
    async finish() {
      for (const wait of waits.values()) wait.reject(new Error('not run'))
      await running
    },
    migrationDone: (m, ms) => waits.get(m.version)?.resolve(ms),
    migrationFailed: (m, error) => waits.get(m.version)?.reject(error),
    notice: (message) => options.logToStderr(message),
    debug: (message) => options.debugLog(message),
  }
}

/** "3 statement(s): transaction (2), alone (line 4: concurrent index build)" for --verbose. */
export function describePlan(m: PlannedMigration): string {
  const steps = m.steps.map((s) => (s.kind === 'transaction' ? `transaction (${s.statements.length})` : `alone (line ${s.statement.line}: ${s.reason})`))
  const resume = m.resumeFrom ? `; continues after statement ${m.resumeFrom}` : ''
  return `${m.statements.length} statement(s): ${steps.join(', ') || 'nothing to run'}${resume}`
}
