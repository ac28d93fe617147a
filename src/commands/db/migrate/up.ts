import {MigrateCommand, migrateFlags} from '../../../cli/migrate-command.js'
import {seedProgress} from '../../../cli/operation-progress.js'
import {withProgress} from '../../../cli/progress.js'
import {collectSeedLoaders} from '../../../cli/seed-loaders.js'
import {discoverMigrations, migrateUp} from '../../../runner/index.js'
import {seedOnInit} from '../../../seed/index.js'

export default class MigrateUp extends MigrateCommand<typeof MigrateUp> {
  static summary = 'Apply pending migrations in order.'
  static description = `Each migration runs in one transaction and is recorded in the same transaction. Statements PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, enum values used later in the migration, …) run in steps of their own; a run stopped part way continues where it stopped.
A PostgreSQL advisory lock keeps two runs apart (waited for at most DB_MIGRATION_LOCK_TIMEOUT seconds). In production (ENVIRONMENT=production) you type the database name to confirm; without a terminal, --force is required.`
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --steps 1',
    '<%= config.bin %> <%= command.id %> --to 003 --dry-run --show-sql',
  ]
  static flags = migrateFlags

  async run(): Promise<object> {
    const {steps, to, force} = this.flags
    const firstVersion = discoverMigrations(this.nself.project.migrationsDir)[0]?.version
    let firstApplied = false
    const result = await this.migrate('up', this.flags, async (client, options) => {
      const run = await migrateUp(client, {...options, steps, to, force})
      firstApplied = run.applied.some((a) => a.version === firstVersion)
      return run
    })
    if (firstApplied) await this.seedAfterFirstMigration()
    return result
  }

  /** DB_SEED_ON_INIT=true: a new database gets the environment's seed data right after its first migration. */
  private async seedAfterFirstMigration(): Promise<void> {
    if (!this.nself.settings.seedOnInit) return
    const loaders = await collectSeedLoaders(this.config, this.nself.environment, (m) => this.warn(m))
    const client = await this.connect()
    const reporter = this.reporter()
    const outcome = await withProgress(reporter, () => seedOnInit(this.nself, client, loaders, seedProgress(reporter)))
    if (outcome.seeded) this.log(`Seeded ${this.nself.environment} after the first migration (DB_SEED_ON_INIT): ${outcome.result?.rows ?? 0} rows committed.`)
  }
}
