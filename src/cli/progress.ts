/**
 * Progress of long operations (migrate up/down, reset, seed), shown one way. On a terminal a listr2
 * display (imported lazily: it costs ~90 ms), one line per step updated in place. Plain lines when
 * output is not a terminal (or one of no width), with --verbose, --debug or --show-sql (extra lines
 * would tangle with the live display). Under --json nothing on stdout. Notices always go to stderr.
 *
 * This module knows nothing of migrations or seeds: operation-progress.ts turns their events into
 * these calls.
 */

export interface ProgressStep {
  id: string
  /** What the step does, e.g. "apply 001_users": the line shown while it waits or runs. */
  title: string
}

export interface ProgressReporter {
  /** The steps about to run, in order. Dones and failures may follow before the promise settles. */
  start(steps: ProgressStep[]): Promise<void>
  /** A step begins; `detail` is shown with --verbose. */
  running(id: string, detail?: string): void
  /** A step ended well; `text` replaces its title, e.g. "apply 001_users (12 ms)". */
  done(id: string, text: string): void
  /** A step that was not run on purpose (unchanged seed file, …); `text` says why. */
  skipped(id: string, text: string): void
  failed(id: string, error: Error): void
  /** Output that belongs to the run (--show-sql statements): plain mode only, never under --json. */
  detail(text: string): void
  /** For the user, on stderr, in every mode. */
  notice(message: string): void
  /** For --debug, on stderr. */
  debug(message: string): void
  /** Ends the display: a step still running failed with `error`; the live display marks steps never reached. */
  finish(error?: Error): Promise<void>
}

export interface ReporterOptions {
  json: boolean
  verbose: boolean
  debug: boolean
  /** --show-sql or anything else that prints lines of its own while steps run. */
  extraOutput?: boolean
  /** Defaults to whether stdout is a terminal. */
  terminal?: boolean
  log(line: string): void
  logToStderr(line: string): void
  debugLog(line: string): void
}

export function createReporter(options: ReporterOptions): ProgressReporter {
  // A terminal that reports no width (some CI pseudo-terminals) would get the display one character a line.
  const terminal = options.terminal ?? Boolean(process.stdout.isTTY && process.stdout.columns)
  const plain = options.json || options.verbose || options.debug || options.extraOutput || !terminal
  return plain ? plainReporter(options) : listrReporter(options)
}

/** Steps by id, and which one is running: both renderers need to know what a failure interrupted. */
class StepBook {
  private titles = new Map<string, string>()
  private settled = new Set<string>()
  current?: string

  reset(steps: ProgressStep[]): void {
    this.titles = new Map(steps.map((s) => [s.id, s.title]))
    this.settled.clear()
    this.current = undefined
  }

  title(id: string): string {
    return this.titles.get(id) ?? id
  }

  /** True the first time a step settles (done, skipped or failed). */
  settle(id: string): boolean {
    if (this.current === id) this.current = undefined
    if (this.settled.has(id)) return false
    this.settled.add(id)
    return true
  }

  /** The running step, unless it already settled. */
  interrupted(): string | undefined {
    return this.current !== undefined && !this.settled.has(this.current) ? this.current : undefined
  }
}

/** Runs work, then ends the reporter's display, telling it of a failure so the running step shows it. */
export async function withProgress<T>(reporter: Pick<ProgressReporter, 'finish'>, work: () => Promise<T>): Promise<T> {
  let result: T
  try {
    result = await work()
  } catch (error) {
    await reporter.finish(error as Error)
    throw error
  }
  await reporter.finish()
  return result
}

function plainReporter(options: ReporterOptions): ProgressReporter {
  const out = options.json ? () => {} : (line: string) => options.log(line)
  const book = new StepBook()
  const reporter: ProgressReporter = {
    async start(steps) {
      book.reset(steps)
    },
    running(id, detail) {
      book.current = id
      if (options.verbose) out(`… ${detail ?? book.title(id)}`)
    },
    done: (id, text) => book.settle(id) && out(`✔ ${text}`),
    skipped: (id, text) => book.settle(id) && out(`↓ ${text}`),
    failed: (id) => book.settle(id) && out(`✖ ${book.title(id)}`),
    detail: (text) => out(text),
    notice: (message) => options.logToStderr(message),
    debug: (message) => options.debugLog(message),
    async finish(error) {
      const id = book.interrupted()
      if (id !== undefined && error) reporter.failed(id, error)
    },
  }
  return reporter
}

type Outcome = {text: string; skipped: boolean}

interface Deferred {
  promise: Promise<Outcome>
  resolve(outcome: Outcome): void
  reject(error: Error): void
}

function deferred(): Deferred {
  let resolve!: (outcome: Outcome) => void
  let reject!: (error: Error) => void
  const promise = new Promise<Outcome>((res, rej) => ((resolve = res), (reject = rej)))
  promise.catch(() => {}) // failures are reported by the operation's own error, not as unhandled rejections
  return {promise, resolve, reject}
}

/** listr2 runs one task per step, in order; each task waits for the operation to report its step. */
function listrReporter(options: ReporterOptions): ProgressReporter {
  const book = new StepBook()
  let waits = new Map<string, Deferred>()
  let display: Promise<unknown> = Promise.resolve()
  const reporter: ProgressReporter = {
    start(steps) {
      // Set up synchronously: the operation may report steps before listr2 has loaded.
      book.reset(steps)
      const own = (waits = new Map(steps.map((s) => [s.id, deferred()])))
      const tasks = steps.map((step) => ({
        title: step.title,
        task: async (_ctx: unknown, task: {title: string; skip(message?: string): void}) => {
          const outcome = await own.get(step.id)!.promise
          if (outcome.skipped) task.skip(outcome.text)
          else task.title = outcome.text
        },
      }))
      const listr = import('listr2').then(
        ({Listr}) =>
          new Listr(tasks, {exitOnError: true, collectErrors: false, rendererOptions: {collapseSkips: false}}),
      )
      display = listr.then((l) => l.run()).catch(() => {})
      return listr.then(() => {})
    },
    running(id) {
      book.current = id
    },
    done: (id, text) => book.settle(id) && waits.get(id)?.resolve({text, skipped: false}),
    skipped: (id, text) => book.settle(id) && waits.get(id)?.resolve({text, skipped: true}),
    failed: (id, error) => book.settle(id) && waits.get(id)?.reject(error),
    detail: () => {},
    notice: (message) => options.logToStderr(message),
    debug: (message) => options.debugLog(message),
    async finish(error) {
      const id = book.interrupted()
      if (id !== undefined && error) reporter.failed(id, error)
      for (const wait of waits.values()) wait.reject(new Error('not run'))
      await display
    },
  }
  return reporter
}
