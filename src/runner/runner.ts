/**
 * The migration runner: migrateUp / migrateDown. It knows nothing of oclif; commands (and
 * `db reset`, which re-applies every migration) call it with a connected client.
 *
 * A run: take the advisory lock → set timeouts → compare files and history → choose the
 * migrations → `beforeRun` (confirmation, hooks, backup; nothing has changed yet, the run stops
 * if it throws) → create the history table if needed → apply each migration → flush → unlock.
 */
import {hostname, userInfo} from 'node:os'
import {readFileSync} from 'node:fs'
import type {Client} from 'pg'
import {NselfError, OperationError, UsageError, ValidationError} from '@nself/sdk/errors'
import {pgMessage, SqlSyntaxError} from '@nself/sdk/sql'
import {BatchError, flushWal, runSingle, runTransactions, TransactionsError} from './execute.js'
import {compareVersions, discoverMigrations, displayPath, sameVersion, type MigrationFile} from './files.js'
import {deleteSql, ensureHistory, readHistory, recordSql, TRANSACTION_MS_SQL} from './history.js'
import {acquireLock} from './lock.js'
import {planTransactions, type TransactionPlan, type PlannedStatement, type RunStep} from './plan.js'
import {resumeCheck} from './resume.js'
import {compareState, loadState, type MigrationState} from './state.js'

export type Direction = 'up' | 'down'

export interface PlannedMigration {
  version: string
  name: string
  /** The file that runs in this direction. */
  file: string
  checksum: string
  direction: Direction
  steps: RunStep[]
  statements: PlannedStatement[]
  /** Statements already done by an earlier run that stopped part way (up only). */
  resumeFrom: number
}

export interface AppliedMigration {
  version: string
  name: string
  file: string
  direction: Direction
  ms: number
}

export interface Reporter {
  migrationStart?(m: PlannedMigration): void
  migrationDone?(m: PlannedMigration, ms: number): void
  migrationFailed?(m: PlannedMigration, error: Error): void
  /** Each statement just before it runs (for --show-sql). */
  statement?(m: PlannedMigration, s: PlannedStatement): void
  notice?(message: string): void
  /** Internal detail for --debug: lock wait, series sent, WAL flush. */
  debug?(message: string): void
}

export interface RunOptions {
  migrationsDir: string
  /** DB_MIGRATION_TABLE. */
  table: string
  /** DB_MIGRATION_LOCK_TIMEOUT: how long to wait for another run's lock. */
  lockTimeoutSeconds: number
  /** DB_MIGRATION_STATEMENT_TIMEOUT (0 = no limit). */
  statementTimeoutSeconds: number
  /**
   * lock_timeout for each DDL statement. Short on purpose: a DDL statement queued behind a long
   * query blocks every later reader of the table, so failing fast (and retrying) beats an outage.
   */
  ddlLockTimeoutSeconds?: number
  /** How often a transaction step that failed on lock_timeout is retried. */
  lockRetries?: number
  dryRun?: boolean
  /** user@host recorded in the history; defaults to this process's. */
  appliedBy?: string
  reporter?: Reporter
  /**
   * Called under the lock with the chosen migrations (also none: hooks fire on every run), before
   * any of their SQL. Throw to stop.
   */
  beforeRun?(migrations: PlannedMigration[]): Promise<void>
  /** The runner appends each migration as it completes: after a failure it still says what did. */
  applied?: AppliedMigration[]
}

export interface UpOptions extends RunOptions {
  steps?: number
  /** Apply pending migrations up to and including this version. */
  to?: string
  /** Apply although applied migrations' files changed. */
  force?: boolean
}

export interface DownOptions extends RunOptions {
  steps?: number
  /** Roll back every migration newer than this version; it stays applied. */
  to?: string
  all?: boolean
}

export interface RunResult {
  direction: Direction
  dryRun: boolean
  /** What the run chose (all of it when dry-run). */
  planned: PlannedMigration[]
  applied: AppliedMigration[]
}

export async function migrateUp(client: Client, options: UpOptions): Promise<RunResult> {
  return run(client, options, 'up', (state) => chooseUp(state, options))
}

export async function migrateDown(client: Client, options: DownOptions): Promise<RunResult> {
  return run(client, options, 'down', (state) => chooseDown(state, options))
}

async function run(
  client: Client,
  options: RunOptions,
  direction: Direction,
  choose: (s: MigrationState) => PlannedMigration[],
): Promise<RunResult> {
  if (options.dryRun) {
    const planned = choose(
      compareState(discoverMigrations(options.migrationsDir), await readHistory(client, options.table)),
    )
    await options.beforeRun?.(planned)
    return {direction, dryRun: true, planned, applied: []}
  }
  const waited = performance.now()
  const lock = await acquireLock(client, options.table, options.lockTimeoutSeconds)
  try {
    options.reporter?.debug?.(
      `migration lock on ${options.table} taken after ${Math.round(performance.now() - waited)} ms`,
    )
    await setTimeouts(client, options)
    const state = await loadState(client, options.migrationsDir, options.table)
    const planned = choose(state)
    options.reporter?.debug?.(
      `${state.files.length} file(s), ${state.applied.length} applied, ${planned.length} chosen to run ${direction}`,
    )
    if (direction === 'up') warnOutOfOrder(state, planned, options)
    await options.beforeRun?.(planned)
    // Only now the first DDL: a refused confirmation or a vetoing hook leaves the database untouched.
    if (!planned.length) return {direction, dryRun: false, planned, applied: []}
    const pinned = {...options, table: await ensureHistory(client, options.table)}
    const applied: AppliedMigration[] = options.applied ?? []
    try {
      for (let i = 0; i < planned.length;) {
        const series = seriesLength(planned, i, pinned)
        if (series > 1) await applySeries(client, planned.slice(i, i + series), pinned, applied)
        else applied.push(await applyOne(client, planned[i], pinned))
        i += Math.max(series, 1)
      }
    } catch (error) {
      if (applied.length) await flushWal(client).catch(() => {}) // keep what did apply; the error is what matters
      throw error
    }
    if (applied.length) await flushWal(client)
    options.reporter?.debug?.('WAL flushed: every commit of this run is on disk')
    return {direction, dryRun: false, planned, applied}
  } finally {
    await lock.release()
  }
}

/** A pending migration older than an applied one (a merged branch) is applied, but said. */
function warnOutOfOrder(state: MigrationState, planned: PlannedMigration[], options: RunOptions): void {
  const newest = state.applied[state.applied.length - 1]
  if (!newest) return
  for (const m of planned) {
    if (compareVersions(m.version, newest.version) < 0)
      options.reporter?.notice?.(`applying ${m.version}_${m.name} out of order: ${newest.version} is already applied`)
  }
}

async function setTimeouts(client: Client, options: RunOptions): Promise<void> {
  const ddl = options.ddlLockTimeoutSeconds ?? 10
  await client.query(`SET statement_timeout = '${options.statementTimeoutSeconds}s'; SET lock_timeout = '${ddl}s'`)
}

export function chooseUp(
  state: MigrationState,
  options: Pick<UpOptions, 'steps' | 'to' | 'force'>,
): PlannedMigration[] {
  if (state.changed.length && !options.force) throw changedError(state)
  let pending = state.pending
  if (options.to !== undefined) {
    requireKnown(state, options.to)
    pending = pending.filter((f) => compareVersions(f.version, options.to!) <= 0)
  }
  if (options.steps !== undefined) pending = pending.slice(0, options.steps)
  const partial = new Map(state.partial.map((p) => [p.row.version, p.row.statementsDone ?? 0]))
  return pending.map((f) => plan(f, 'up', f.upFile, partial.get(f.version) ?? 0))
}

export function chooseDown(
  state: MigrationState,
  options: Pick<DownOptions, 'steps' | 'to' | 'all'>,
): PlannedMigration[] {
  if (state.partial.length) {
    const v = state.partial[0].row.version
    throw new ValidationError(`migration ${v} stopped part way: finish it before rolling back`, {
      hint: `Run nself db migrate:up to finish it, or nself db migrate:resolve --rolled-back ${v} after undoing it by hand.`,
    })
  }
  let chosen = [...state.applied].reverse()
  if (options.all) {
    // every applied migration
  } else if (options.to !== undefined) {
    if (!state.applied.some((r) => sameVersion(r.version, options.to!)))
      throw new UsageError(`--to ${options.to}: migration ${options.to} is not applied`)
    chosen = chosen.filter((r) => compareVersions(r.version, options.to!) > 0)
  } else chosen = chosen.slice(0, options.steps ?? 1)
  const files = new Map(state.files.map((f) => [f.version, f]))
  return chosen.map((row) => {
    const file = files.get(row.version)
    if (!file?.downFile)
      throw new ValidationError(`cannot roll back ${row.version}_${row.name}: its down file is missing`, {
        hint: 'Write the down file first (nothing was rolled back).',
      })
    const planned = plan(file, 'down', file.downFile, 0)
    if (!planned.statements.length) {
      throw new ValidationError(
        `cannot roll back ${row.version}_${row.name}: ${displayPath(file.downFile)} has no statements`,
        {
          hint: `Write the SQL that undoes it, or run nself db migrate:resolve --rolled-back ${row.version} if there is nothing to undo.`,
        },
      )
    }
    return planned
  })
}

function requireKnown(state: MigrationState, version: string): void {
  if (!/^\d+$/.test(version)) throw new UsageError(`--to ${version}: expected a version number such as 003`)
  if (!state.files.some((f) => sameVersion(f.version, version)))
    throw new UsageError(`--to ${version}: there is no migration ${version}`)
}

function changedError(state: MigrationState): ValidationError {
  const files = state.changed.map((c) => displayPath(c.file.upFile)).join(', ')
  const versions = state.changed.map((c) => c.row.version).join(' ')
  return new ValidationError(`applied migration changed since it was applied: ${files}`, {
    code: 'NSELF_CHECKSUM_MISMATCH',
    hint: `Restore the file, or accept the edit with: nself db migrate:resolve --accept-checksum ${versions} (or pass --force).`,
  })
}

function plan(file: MigrationFile, direction: Direction, path: string, resumeFrom: number): PlannedMigration {
  const {steps, statements} = planFile(path)
  return {
    version: file.version,
    name: file.name,
    file: path,
    checksum: file.checksum,
    direction,
    steps,
    statements,
    resumeFrom,
  }
}

function planFile(path: string): TransactionPlan {
  try {
    return planTransactions(readFileSync(path, 'utf8'))
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error
    throw new ValidationError(`${displayPath(path)}:${error.line}: ${error.message}`, {
      code: 'NSELF_MIGRATION_INVALID',
      hint: 'Nothing was applied.',
    })
  }
}

/** Every migration of the folder, planned up from an empty history: what `db reset` re-applies. */
export function planFromScratch(migrationsDir: string): PlannedMigration[] {
  return chooseUp(compareState(discoverMigrations(migrationsDir), []), {})
}

/** A migration that is one transaction from scratch can share a message with its neighbours. */
function isSimple(m: PlannedMigration): boolean {
  return m.steps.length === 1 && m.steps[0].kind === 'transaction' && m.resumeFrom === 0
}

const SERIES_MAX_CHARS = 256 * 1024
/**
 * The server sends its replies when its 8 kB output buffer fills or the message ends, so progress
 * arrives per message: a few dozen migrations per message keeps it moving on long runs.
 */
const SERIES_MAX_MIGRATIONS = 50

/** How many migrations from i on go to the server in one message (1: on their own). */
function seriesLength(planned: PlannedMigration[], i: number, options: RunOptions): number {
  if (options.reporter?.statement) return 1 // --show-sql prints each statement just before it runs
  let chars = 0
  let n = 0
  while (i + n < planned.length && n < SERIES_MAX_MIGRATIONS && isSimple(planned[i + n])) {
    chars += planned[i + n].statements.reduce((sum, s) => sum + s.sql.length, 0)
    if (n > 0 && chars > SERIES_MAX_CHARS) break
    n++
  }
  return n
}

/**
 * Applies a series of one-transaction migrations, each committed and recorded on its own, in one
 * round trip (runTransactions). On lock_timeout the series continues from the migration that hit it.
 */
async function applySeries(
  client: Client,
  series: PlannedMigration[],
  options: RunOptions,
  applied: AppliedMigration[],
): Promise<void> {
  const retries = options.lockRetries ?? 2
  let rest = series
  options.reporter?.migrationStart?.(rest[0])
  for (let attempt = 0; ; attempt++) {
    let committed = 0
    const items = rest.map((m, k) => ({
      statements: m.statements,
      trailing: [progressSql(m, options, null, 'server')],
      onCommitted: (ms: number) => {
        committed = k + 1
        applied.push({version: m.version, name: m.name, file: m.file, direction: m.direction, ms})
        options.reporter?.migrationDone?.(m, ms)
        if (rest[k + 1]) options.reporter?.migrationStart?.(rest[k + 1])
      },
    }))
    try {
      options.reporter?.debug?.(
        `sending ${rest.length} migration(s) as one message: ${rest[0].version}…${rest[rest.length - 1].version}`,
      )
      return await runTransactions(client, items)
    } catch (error) {
      const failedAt = error instanceof TransactionsError ? error.item : committed
      const failed = rest[failedAt]
      // Items between the last commit and the failing one never ran: the message failed to parse at the latter.
      const notRun = rest.slice(committed, failedAt)
      rest = rest.slice(committed)
      if (error instanceof TransactionsError && error.failure.error.code === '55P03' && attempt < retries) {
        options.reporter?.notice?.(`lock_timeout: table busy, retrying (${attempt + 1}/${retries})`)
        await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt))
        continue
      }
      // They parsed fine, so apply them, as a run one migration at a time would have, before failing.
      if (notRun.length) await applySeries(client, notRun, options, applied)
      const failure = toMigrationError(failed, error)
      options.reporter?.migrationFailed?.(failed, failure)
      throw failure
    }
  }
}

async function applyOne(client: Client, m: PlannedMigration, options: RunOptions): Promise<AppliedMigration> {
  const started = performance.now()
  options.reporter?.migrationStart?.(m)
  try {
    const steps = m.steps.length ? m.steps : [{kind: 'transaction', statements: []} as RunStep]
    for (const [i, step] of steps.entries()) await runStep(client, m, step, i === steps.length - 1, options)
  } catch (error) {
    const failure = toMigrationError(m, error)
    options.reporter?.migrationFailed?.(m, failure)
    throw failure
  }
  const ms = Math.round(performance.now() - started)
  options.reporter?.migrationDone?.(m, ms)
  return {version: m.version, name: m.name, file: m.file, direction: m.direction, ms}
}

async function runStep(
  client: Client,
  m: PlannedMigration,
  step: RunStep,
  last: boolean,
  options: RunOptions,
): Promise<void> {
  const stepStatements = step.kind === 'transaction' ? step.statements : [step.statement]
  const todo = stepStatements.filter((s) => s.index >= m.resumeFrom)
  if (!todo.length && !last) return
  const done = last ? null : stepStatements[stepStatements.length - 1].index + 1
  for (const s of todo) options.reporter?.statement?.(m, s)
  if (step.kind === 'transaction') {
    await withLockRetries(options, () =>
      runTransactions(client, [{statements: todo, trailing: [progressSql(m, options, done, 'server')]}]),
    )
    return
  }
  const started = performance.now()
  const resuming = m.resumeFrom === step.statement.index && m.resumeFrom > 0
  if (todo.length && (await resumeCheck(client, step, resuming, (m) => options.reporter?.notice?.(m))) === 'run')
    await runAlone(client, step, options)
  await client.query(progressSql(m, options, done, performance.now() - started))
}

/**
 * A concurrent build waits for every older transaction to finish while blocking nobody (it holds
 * SHARE UPDATE EXCLUSIVE), so the short DDL lock_timeout would only make it fail on a busy
 * database: it runs without one, bounded by statement_timeout.
 */
async function runAlone(client: Client, step: RunStep & {kind: 'single'}, options: RunOptions): Promise<void> {
  if (!/CONCURRENTLY/i.test(step.statement.sql)) return runSingle(client, step.statement)
  await client.query('SET lock_timeout = 0')
  try {
    await runSingle(client, step.statement)
  } finally {
    await setTimeouts(client, options).catch(() => {}) // a dead connection: the statement's own error is the one to report
  }
}

/** The history change that marks progress: upsert for up, delete (when complete) for down. */
function progressSql(m: PlannedMigration, options: RunOptions, done: number | null, ms: number | 'server'): string {
  // Inside runTransactions the record answers with the transaction's own time, which progress shows.
  const returning = ms === 'server' ? ` RETURNING ${TRANSACTION_MS_SQL}` : ''
  if (m.direction === 'down') return done === null ? deleteSql(options.table, m.version) + returning : 'SELECT 1'
  const record = recordSql(options.table, {
    version: m.version,
    name: m.name,
    checksum: m.checksum,
    executionMs: ms,
    appliedBy: options.appliedBy ?? defaultAppliedBy(),
    statementsDone: done,
  })
  return record + returning
}

async function withLockRetries(options: RunOptions, fn: () => Promise<void>): Promise<void> {
  const retries = options.lockRetries ?? 2
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      const code = error instanceof BatchError ? error.failure.error.code : undefined
      if (code !== '55P03' || attempt >= retries) throw error
      options.reporter?.notice?.(`lock_timeout: table busy, retrying (${attempt + 1}/${retries})`)
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt))
    }
  }
}

let appliedBy: string | undefined
export function defaultAppliedBy(): string {
  appliedBy ??= `${safeUser()}@${hostname()}`
  return appliedBy
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? 'unknown'
  }
}

export class MigrationError extends OperationError {
  constructor(
    message: string,
    readonly version: string,
    readonly file: string,
    readonly line: number | undefined,
    readonly pgCode: string | undefined,
    hint: string,
  ) {
    super(message, {code: 'NSELF_MIGRATION_FAILED', hint})
  }
}

function toMigrationError(m: PlannedMigration, error: unknown): Error {
  if (error instanceof NselfError) return error
  if (!(error instanceof BatchError)) {
    return new OperationError(
      `${m.direction === 'up' ? 'migration' : 'rollback'} ${m.version}_${m.name} stopped: ${(error as Error).message}`,
      {
        code: 'NSELF_MIGRATION_INTERRUPTED',
        cause: error,
        hint: 'Each migration commits on its own: nself db status shows what is applied, and nself db migrate:up continues from there.',
      },
    )
  }
  const {statement, line, error: pg} = error.failure
  const where = `${displayPath(m.file)}:${line}`
  const nonTx = m.steps.some((s) => s.kind === 'single')
  const state =
    nonTx && statement.index > 0
      ? 'The steps before the failing one are applied (this migration has non-transactional steps); nself db migrate:up continues from the failing step.'
      : `Nothing of ${m.version}_${m.name} was applied.`
  const hint = [pg.hint, state].filter(Boolean).join(' ')
  return new MigrationError(
    `${m.direction === 'up' ? 'migration' : 'rollback'} ${m.version}_${m.name} failed at ${where}: ${pgMessage(pg, {sqlstate: true})}`,
    m.version,
    m.file,
    line,
    pg.code,
    hint,
  )
}
