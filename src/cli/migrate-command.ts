/**
 * What migrate:up, migrate:down and `db reset` share: the runner's options from the config, production
 * confirmation, the beforeMigrate/afterMigrate hooks, and progress. The commands stay thin.
 */
import {Flags, type Command} from '@oclif/core'
import type {Client} from 'pg'
import type {AfterMigrateOptions, BeforeMigrateOptions, MigrationInfo} from '@nself/sdk/hooks'
import {commentText} from '@nself/sdk/sql'
import {readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {RefusedError} from '@nself/sdk'
import {unverifiedDownReason} from '../verify/record.js'
import {DbCommand} from './db-command.js'
import {confirmDestructive} from './confirm.js'
import {fireAfterMigrate, fireBeforeMigrate} from './migrate-hooks.js'
import {migrationProgress, type MigrationProgress} from './operation-progress.js'
import {
  checkMissingPluginFlags,
  declaredPluginFlags,
  flagValues,
  toOclifFlags,
  type PluginFlag,
} from './plugin-flags.js'
import {backupBeforeChange, requiresBackupBeforeChange} from '../backup/index.js'
import {
  displayPath,
  losesData,
  migrateOptions,
  type AppliedMigration,
  type Direction,
  type PlannedMigration,
  type RunOptions,
  type RunResult,
} from '../runner/index.js'

export const migrateFlags = {
  steps: Flags.integer({description: 'How many migrations to run.', min: 1}),
  to: Flags.string({description: 'Target version, such as 003.'}),
  force: Flags.boolean({description: 'Skip confirmations (and, for migrate:up, run although applied files changed).'}),
  'dry-run': Flags.boolean({description: 'Show what would run; change nothing.'}),
  'show-sql': Flags.boolean({description: 'Print each statement as it runs.'}),
}

/**
 * What the shared code reads of a migrate command's flags (every migrate command declares migrateFlags).
 * Optional: oclif types a boolean flag as boolean, but leaves it undefined when it is not given.
 */
export interface MigrateFlagValues {
  'dry-run'?: boolean
  'show-sql'?: boolean
  force?: boolean
}

export abstract class MigrateCommand<T extends typeof Command> extends DbCommand<T> {
  static override enableJsonFlag = true
  protected progress?: MigrationProgress
  /**
   * Handed in by the command through migrate(): in this generic class `this.flags` depends on the
   * subclass, while the command itself reads its flags with their concrete types.
   */
  private shared: Required<MigrateFlagValues> = {'dry-run': false, 'show-sql': false, force: false}
  /** Set once beforeMigrate let the run go on: afterMigrate fires only then (not after a veto). */
  private hooksPassed = false
  /** What beforeMigrate was told the run would do: afterMigrate's `migrations`, also after a failure. */
  private attempted: PlannedMigration[] = []
  /** Filled by the runner as migrations complete. */
  protected readonly completed: AppliedMigration[] = []
  /** Flags that installed plugins add to this command. */
  private pluginFlags: PluginFlag[] = []

  /**
   * Called after confirmation and the beforeMigrate hook, before any migration SQL runs: in
   * production the database is backed up first ("automatic backups before major operations").
   * A connection of its own, so the runner's session (and its lock) is not disturbed.
   */
  protected async beforeChange(direction: Direction, planned: PlannedMigration[]): Promise<void> {
    if (!requiresBackupBeforeChange(this.nself) || planned.length === 0) return
    const path = await backupBeforeChange(this.nself, await this.connect(), `migrate-${direction}`)
    this.notice(`Backed up the database before migrate:${direction}: ${path}`)
  }

  /** The command's flags plus those its installed plugins declare for it (package.json "nself.flags"). */
  protected override async parseInput(): Promise<T> {
    const own = this.ctor as T
    const taken = new Set([...Object.keys(own.flags ?? {}), ...Object.keys(own.baseFlags ?? {}), 'json', 'help'])
    this.pluginFlags = declaredPluginFlags(this.config.plugins.values(), this.id ?? '', taken, (m) => this.debugLog(m))
    checkMissingPluginFlags(this.id ?? '', this.argv, new Set(this.pluginFlags.map((f) => f.name)))
    if (this.pluginFlags.length === 0) return own
    // Inherited statics (baseFlags, enableJsonFlag) are not own properties of the class: name them.
    const {args, baseFlags, enableJsonFlag, strict} = own
    return {
      args,
      baseFlags,
      enableJsonFlag,
      strict,
      flags: {...own.flags, ...toOclifFlags(this.pluginFlags)},
    } as unknown as T
  }

  protected runOptions(direction: Direction): RunOptions {
    this.progress = migrationProgress(
      this.reporter({extraOutput: this.shared['show-sql']}),
      this.shared['show-sql'] && !this.jsonEnabled(),
    )
    return {
      ...migrateOptions(this.nself),
      dryRun: this.shared['dry-run'],
      reporter: this.progress,
      beforeRun: (planned) => this.beforeRun(direction, planned),
      applied: this.completed,
    }
  }

  private async beforeRun(direction: Direction, planned: PlannedMigration[]): Promise<void> {
    const dryRun = this.shared['dry-run']
    if (!dryRun && planned.length > 0) await this.confirm(direction, planned)
    await this.fireBeforeMigrate(direction, planned)
    if (dryRun) return
    await this.beforeChange(direction, planned)
    if (planned.length > 0) await this.progress?.start(planned)
  }

  /** Fires beforeMigrate, which fails closed (migrate-hooks.ts). afterMigrate fires (afterRun) only once this passed. */
  protected async fireBeforeMigrate(direction: Direction, planned: PlannedMigration[]): Promise<void> {
    this.attempted = planned
    await fireBeforeMigrate(this.config, this.hookOptions(direction, planned))
    this.hooksPassed = true
  }

  /** Typed confirmation in production, or with DB_CONFIRM_DESTRUCTIVE=true when a step loses data. */
  private async confirm(direction: Direction, planned: PlannedMigration[]): Promise<void> {
    const {isProduction, settings, environment, connection} = this.nself
    const lossy = planned.filter((m) => losesData(readFileSync(m.file, 'utf8')))
    if (isProduction && direction === 'down') {
      for (const m of planned)
        this.logToStderr(`${m.version}_${m.name}: ${displayPath(m.file)}${lossy.includes(m) ? ' — LOSES DATA' : ''}`)
      // Before asking: a production rollback runs only down files proven on a throwaway database.
      refuseUnverifiedDowns(planned, lossy, this.shared.force)
    }
    const typed = isProduction || (settings.confirmDestructive && lossy.length > 0)
    // A rollback is destructive in every environment: a y/N at least (without a terminal, --force).
    if (!typed && direction === 'up') return
    const what = direction === 'up' ? 'apply' : 'roll back'
    const loss = lossy.length ? `; ${lossy.map((m) => m.version).join(', ')} lose data` : ''
    await confirmDestructive({
      action: `${what} ${planned.length} migration(s) on ${connection.database} (${environment})${loss}`,
      typed: typed ? connection.database : undefined,
      force: this.shared.force,
    })
  }

  protected hookOptions(direction: Direction, planned: PlannedMigration[]): BeforeMigrateOptions {
    const env = this.nself.env
    const flags = flagValues(this.pluginFlags, this.flags, (name) => env.get(name)?.value)
    return {
      direction,
      migrations: planned.map(info),
      environment: this.nself.environment,
      database: this.nself.connection.database,
      dryRun: this.shared['dry-run'],
      flags,
      command: this.id ?? '',
    }
  }

  /**
   * afterMigrate runs after success and after failure (not after a refusal: nothing ran), with what
   * was attempted and what completed. A hook's error with an exit code is returned, for the command
   * to end with once it reported the run; other hook errors are warnings.
   */
  protected async afterRun(
    direction: Direction,
    result: RunResult | undefined,
    error?: Error,
  ): Promise<Error | undefined> {
    await this.progress?.finish(error)
    if (!this.hooksPassed) return undefined
    const options: AfterMigrateOptions = {
      ...this.hookOptions(direction, result?.planned ?? this.attempted),
      applied: (result?.applied ?? this.completed).map((a) => ({version: a.version, name: a.name, file: a.file})),
      ...(error ? {error: error.message} : {}),
    }
    const outcome = await fireAfterMigrate(this.config, options)
    for (const warning of outcome.warnings) this.warn(warning)
    return outcome.error
  }

  protected report(result: RunResult): object {
    const verb = result.direction === 'up' ? 'apply' : 'roll back'
    if (result.dryRun) {
      this.log(result.planned.length ? `Would ${verb} ${result.planned.length} migration(s):` : `Nothing to ${verb}.`)
      for (const m of result.planned) this.log(`  ${m.version}_${m.name}${describeSteps(m)}`)
      if (this.shared['show-sql'])
        for (const m of result.planned)
          for (const s of m.statements) this.log(`-- ${commentText(`${m.version}_${m.name}`)}:${s.line}\n${s.sql};`)
    } else {
      const total = result.applied.reduce((sum, a) => sum + a.ms, 0)
      this.log(
        result.applied.length
          ? `${result.direction === 'up' ? 'Applied' : 'Rolled back'} ${result.applied.length} migration(s) in ${total} ms.`
          : `Nothing to ${verb}.`,
      )
    }
    return {
      direction: result.direction,
      dryRun: result.dryRun,
      planned: result.planned.map((m) => ({
        ...info(m),
        statements: m.statements.length,
        nonTransactional: m.steps.flatMap((s) =>
          s.kind === 'single' ? [{line: s.statement.line, reason: s.reason}] : [],
        ),
      })),
      applied: result.applied.map((a) => ({version: a.version, name: a.name, ms: a.ms})),
    }
  }

  /** Runs the library call between the hooks. */
  protected async migrate(
    direction: Direction,
    flags: MigrateFlagValues,
    fn: (client: Client, options: RunOptions) => Promise<RunResult>,
  ): Promise<object> {
    this.shared = {
      'dry-run': Boolean(flags['dry-run']),
      'show-sql': Boolean(flags['show-sql']),
      force: Boolean(flags.force),
    }
    const client = await this.connect()
    let result: RunResult | undefined
    try {
      result = await fn(client, this.runOptions(direction))
    } catch (error) {
      await this.afterRun(direction, result, error as Error)
      throw error
    }
    const hookError = await this.afterRun(direction, result)
    const report = this.report(result)
    if (hookError) throw hookError
    return report
  }
}

function info(m: PlannedMigration): MigrationInfo {
  return {version: m.version, name: m.name, file: m.file}
}

function describeSteps(m: PlannedMigration): string {
  const single = m.steps.filter((s) => s.kind === 'single')
  const resume = m.resumeFrom ? `, continues at statement ${m.resumeFrom + 1}` : ''
  if (!single.length) return ` (${m.statements.length} statement(s), one transaction${resume})`
  const reasons = [...new Set(single.map((s) => (s.kind === 'single' ? s.reason : '')))].join(', ')
  return ` (${m.statements.length} statement(s), ${single.length} outside a transaction: ${reasons}${resume})`
}

/** Production rollbacks run only down files proven on a throwaway database, unless --force. */
function refuseUnverifiedDowns(planned: PlannedMigration[], lossy: PlannedMigration[], force: boolean): void {
  if (force) return
  const unverified = planned.flatMap((m) => {
    const reason = unverifiedDownReason(dirname(m.file), m.version, m.file)
    return reason ? [`  - ${displayPath(m.file)}: ${reason}`] : []
  })
  if (unverified.length === 0) return
  const loss = lossy.length ? ` (${lossy.map((m) => m.version).join(', ')} lose data)` : ''
  throw new RefusedError(
    `Refusing to roll back production${loss} with down files that were never verified:\n${unverified.join('\n')}`,
    {
      code: 'NSELF_DOWN_NOT_VERIFIED',
      hint: `Verify each pair first: nself db validate --check-down ${planned[0].version} (on a throwaway database), or pass --force to run it anyway.`,
    },
  )
}
