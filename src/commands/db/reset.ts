import {Flags} from '@oclif/core'
import type {Client} from 'pg'
import {
  backupBeforeChange,
  MANAGED_SCHEMAS,
  requiresBackupBeforeChange,
  resetDatabase,
  type ResetResult,
} from '../../backup/index.js'
import {confirmDestructive} from '../../cli/confirm.js'
import {MigrateCommand} from '../../cli/migrate-command.js'
import {migrationProgress, seedProgress} from '../../cli/operation-progress.js'
import {withProgress} from '../../cli/progress.js'
import {collectSeedLoaders} from '../../cli/seed-loaders.js'
import type {PlannedMigration} from '../../runner/index.js'
import type {PluginLoaders} from '../../seed/index.js'

export default class DbReset extends MigrateCommand<typeof DbReset> {
  static override summary = "Drop every object of the project's schemas and re-apply all migrations."
  static override description = `Kept: the ${MANAGED_SCHEMAS.join(', ')} schemas and extensions with their objects. In production, or with DB_CONFIRM_DESTRUCTIVE=true, you type the database name and the current state is backed up first (in production --force alone is not enough). Plugins' beforeMigrate/afterMigrate hooks run as for migrate:up; a vetoing hook stops the reset before anything is dropped.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --seed',
    '<%= config.bin %> <%= command.id %> --force',
  ]
  static override flags = {
    seed: Flags.boolean({description: "Seed the environment's data afterwards."}),
    force: Flags.boolean({description: 'Skip the confirmation (not enough in production).'}),
  }

  /** An afterMigrate hook's error with an exit code: the command ends with it once the reset is reported. */
  private hookError?: Error

  async run(): Promise<{migrations: string[]; seededRows?: number; safetyBackup?: string}> {
    const config = this.nself
    const database = config.connection.database
    // DB_CONFIRM_DESTRUCTIVE=true asks for the same care as production, as restore and migrate:down do.
    const careful = requiresBackupBeforeChange(config) || config.settings.confirmDestructive
    await confirmDestructive({
      action: `drop every table, view and type of database ${database} (${config.environment}) and re-apply all migrations`,
      typed: careful ? database : undefined,
      force: this.flags.force,
      forceIsEnough: !config.isProduction,
    })
    const client = await this.connect()
    const loaders = this.flags.seed
      ? await collectSeedLoaders(this.config, config.environment, (m) => this.warn(m))
      : []
    let safetyBackup: string | undefined
    // The hooks and the safety backup come before anything is dropped: a veto leaves the database as it was.
    const beforeRun = async (planned: PlannedMigration[]) => {
      await this.fireBeforeMigrate('up', planned)
      safetyBackup = careful ? await backupBeforeChange(config, client, 'reset') : undefined
      if (safetyBackup) this.log(`Backed up the current state first: ${safetyBackup}`)
    }
    const result = await this.reset(client, loaders, beforeRun)
    const applied = result.run.applied
    this.log(
      `Reset ${database}: ${applied.length} migrations applied${result.seed ? `, ${result.seed.rows} seed rows committed` : ''}.`,
    )
    if (this.hookError) throw this.hookError
    return {
      migrations: applied.map((m) => m.version),
      ...(result.seed ? {seededRows: result.seed.rows} : {}),
      ...(safetyBackup ? {safetyBackup} : {}),
    }
  }

  /** Migrations and seed files report through one reporter each, as migrate:up and db seed do. */
  private async reset(
    client: Client,
    loaders: PluginLoaders[],
    beforeRun: (planned: PlannedMigration[]) => Promise<void>,
  ): Promise<ResetResult> {
    const migrations = migrationProgress(this.reporter())
    const seeds = this.reporter()
    return withProgress(seeds, () =>
      withProgress(migrations, () =>
        resetDatabase(this.nself, client, {
          seed: this.flags.seed,
          loaders,
          reporter: migrations,
          beforeRun,
          startRun: async (planned) => {
            if (planned.length > 0) await migrations.start(planned)
          },
          afterRun: async (run, error) => {
            this.hookError = await this.afterRun('up', run, error)
          },
          applied: this.completed,
          onSeedEvent: seedProgress(seeds),
        }),
      ),
    )
  }
}
