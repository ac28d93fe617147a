/**
 * Base for commands that read the project's configuration and talk to its database.
 * It loads the config once, opens connections (starting the embedded server on demand and
 * saying so on stderr), closes them at the end, and appends one line to the operations log
 * (.nself/logs/db.log, shown by `nself logs db`) for every command that connected.
 */
import type {Command} from '@oclif/core'
import type {Client} from 'pg'
import {BaseCommand, describeError} from '@nself/sdk'
import {loadConfig, type NselfConfig} from '../config/index.js'
import {openClient, type OpenOptions} from '../db/connect.js'
import {appendOpLog} from './oplog.js'
import {createReporter, type ProgressReporter, type ReporterOptions} from './progress.js'

export abstract class DbCommand<T extends typeof Command> extends BaseCommand<T> {
  /**
   * Restated on purpose: oclif's manifest walks the static properties up the class chain only while
   * each class has some of its own, so a command under an intermediate class (MigrateCommand) would
   * lose --verbose/--debug from its help and manifest if this class had none.
   */
  static override baseFlags = BaseCommand.baseFlags
  private loadedConfig?: NselfConfig
  private clients: Client[] = []
  private readonly startedAt = Date.now()
  /** Set by connect(): only commands that touched a database are logged. */
  private touchedDatabase = false
  /** The project database was checked for an interrupted restore (once per command). */
  private checkedRestore = false
  /** db restore: a lost safety backup is reported, not refused (the restore replaces the part-way state). */
  protected lostRestoreSafetyOk = false

  protected get nself(): NselfConfig {
    this.loadedConfig ??= loadConfig()
    return this.loadedConfig
  }

  /** A connected client, closed automatically when the command ends. */
  protected async connect(options: OpenOptions = {}): Promise<Client> {
    this.touchedDatabase = true
    const client = await openClient(this.nself, {
      applicationName: `nself ${this.id ?? ''}`.trim(),
      onNotice: (message) => this.notice(message),
      ...options,
    })
    this.clients.push(client)
    if (!options.database && !this.checkedRestore) {
      this.checkedRestore = true
      await this.recoverInterruptedRestore(client)
    }
    return client
  }

  /**
   * A restore too big for one transaction that was killed part-way leaves its journal in the
   * database: before this command does anything, the state before that restore is put back. One
   * catalog lookup when there is nothing to do; the backup code loads only when there is.
   */
  private async recoverInterruptedRestore(client: Client): Promise<void> {
    const {rows} = await client.query<{found: string | null}>(
      `SELECT pg_catalog.to_regclass('nself_restore.journal')::text AS found`,
    )
    if (!rows[0].found) return
    const {recoverInterruptedRestore} = await import('../backup/index.js')
    await recoverInterruptedRestore(this.nself, client, (message) => this.notice(message), this.lostRestoreSafetyOk)
  }

  /** Where long operations report their progress: a terminal display, plain lines, or nothing under --json. */
  protected reporter(options: Partial<ReporterOptions> = {}): ProgressReporter {
    return createReporter({
      json: this.jsonEnabled(),
      verbose: this.verboseEnabled,
      debug: this.debugEnabled,
      log: (l) => this.log(l),
      logToStderr: (l) => this.logToStderr(l),
      debugLog: (l) => this.debugLog(l),
      ...options,
    })
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    await Promise.all(this.clients.map((c) => c.end().catch(() => {})))
    this.writeOpLog(error)
    return super.finally(error)
  }

  private writeOpLog(error: Error | undefined): void {
    // Outside a project there is no .nself folder to log into, and creating one would make a project.
    if (!this.touchedDatabase || !this.loadedConfig?.inProject) return
    const config = this.loadedConfig
    const failed = error ? describeError(error) : undefined
    try {
      appendOpLog(config.project.stateDir, {
        time: new Date(this.startedAt).toISOString(),
        environment: config.environment,
        command: this.id ?? 'unknown',
        database: config.connection.database,
        outcome: failed ? 'error' : 'ok',
        durationMs: Date.now() - this.startedAt,
        ...(failed ? {exit: failed.exit, code: failed.code} : {}),
      })
    } catch (logError) {
      // A read-only project folder must not turn a successful migration into a failure.
      this.debugLog(`cannot write the operations log: ${(logError as Error).message}`)
    }
  }
}
