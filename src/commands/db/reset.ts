import {Flags} from '@oclif/core'
import {backupBeforeChange, MANAGED_SCHEMAS, requiresBackupBeforeChange, resetDatabase} from '../../backup/index.js'
import {confirmDestructive} from '../../cli/confirm.js'
import {DbCommand} from '../../cli/db-command.js'
import {collectSeedLoaders} from '../../cli/seed-loaders.js'

export default class DbReset extends DbCommand {
  static summary = 'Drop every object of the project\'s schemas and re-apply all migrations.'
  static description = `Kept: the ${MANAGED_SCHEMAS.join(', ')} schemas and extensions with their objects. In production, or with DB_CONFIRM_DESTRUCTIVE=true, you type the database name and the current state is backed up first (in production --force alone is not enough).`
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --seed', '<%= config.bin %> <%= command.id %> --force']
  static enableJsonFlag = true
  static flags = {
    seed: Flags.boolean({description: 'Seed the environment\'s data afterwards.'}),
    force: Flags.boolean({description: 'Skip the confirmation (not enough in production).'}),
  }

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
    const safetyBackup = careful ? await backupBeforeChange(config, client, 'reset') : undefined
    if (safetyBackup) this.log(`Backed up the current state first: ${safetyBackup}`)
    const loaders = this.flags.seed ? await collectSeedLoaders(this.config, config.environment, (m) => this.warn(m)) : []
    const result = await resetDatabase(config, client, {seed: this.flags.seed, loaders, reporter: {migrationDone: (m, ms) => this.log(`Applied ${m.version} ${m.name} (${ms} ms)`)}})
    this.log(`Reset ${database}: ${result.migrations.length} migrations applied${result.seed ? `, ${result.seed.rows} seed rows` : ''}.`)
    return {migrations: result.migrations.map((m) => m.version), ...(result.seed ? {seededRows: result.seed.rows} : {}), ...(safetyBackup ? {safetyBackup} : {})}
  }
}
