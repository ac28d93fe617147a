import {MigrateCommand, migrateFlags} from '../../../cli/migrate-command.js'
import {seedProgress} from '../../../cli/operation-progress.js'
import {withProgress} from '../../../cli/progress.js'
import {collectSeedLoaders} from '../../../cli/seed-loaders.js'
import {schemaAhead} from '../../../authoring/index.js'
import {discoverMigrations, migrateUp} from '../../../runner/index.js'
import {seedOnInit} from '../../../seed/index.js'

export default class MigrateUp extends MigrateCommand<typeof MigrateUp> {
  static override summary = 'Apply pending migrations in order.'
  static override description = `Each migration runs in one transaction and is recorded in the same transaction. Statements PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, enum values used later in the migration, …) run in steps of their own; a run stopped part way continues where it stopped.
A PostgreSQL advisory lock keeps two runs apart (waited for at most DB_MIGRATION_LOCK_TIMEOUT seconds). In production (ENVIRONMENT=production) you type the database name to confirm; without a terminal, --force is required.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --steps 1',
    '<%= config.bin %> <%= command.id %> --to 003 --dry-run --show-sql',
  ]
  static override flags = migrateFlags

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
    return {...result, ...(await this.schemaAheadHint(result as {planned: unknown[]}))}
  }

  /** "Nothing to apply" while schema.dbml has changes no migration holds yet: say how to get them. */
  private async schemaAheadHint(result: {planned: unknown[]}): Promise<{schemaAhead?: string}> {
    if (result.planned.length > 0) return {}
    const {project} = this.nself
    const ahead = await schemaAhead(project.schemaFile, project.migrationsDir)
    if (ahead.ahead !== true) return {}
    this.log(`database/schema.dbml is ahead of the migrations (${ahead.reason}), then nself db migrate:up.`)
    return {schemaAhead: ahead.reason}
  }

  /** DB_SEED_ON_INIT=true: a new database gets the environment's seed data right after its first migration. */
  private async seedAfterFirstMigration(): Promise<void> {
    if (!this.nself.settings.seedOnInit) return
    const loaders = await collectSeedLoaders(this.config, this.nself.environment, (m) => this.warn(m))
    const client = await this.connect()
    const reporter = this.reporter()
    const outcome = await withProgress(reporter, () => seedOnInit(this.nself, client, loaders, seedProgress(reporter)))
    if (outcome.seeded)
      this.log(
        `Seeded ${this.nself.environment} after the first migration (DB_SEED_ON_INIT): ${outcome.result?.rows ?? 0} rows committed.`,
      )
  }
}
