import {MigrateCommand, migrateFlags} from '../../../cli/migrate-command.js'
import {migrateUp} from '../../../migrate/index.js'

export default class MigrateUp extends MigrateCommand {
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
    return this.migrate('up', (client, options) => migrateUp(client, {...options, steps, to, force}))
  }
}
