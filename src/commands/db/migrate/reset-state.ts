import {Flags} from '@oclif/core'
import {DbCommand} from '../../../cli/db-command.js'
import {confirmDestructive} from '../../../cli/confirm.js'
import {migrateOptions, resetHistory} from '../../../runner/index.js'

export default class MigrateResetState extends DbCommand<typeof MigrateResetState> {
  static override summary = 'Empty the migration history table. The schema and data are untouched.'
  static override description =
    'Afterwards every migration counts as pending. Use it to rebuild the history, e.g. followed by migrate:resolve --applied for each version that is in the database. You type the database name to confirm; without a terminal, --force is required.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --force']
  static override enableJsonFlag = true
  static override flags = {force: Flags.boolean({description: 'Skip the confirmation.'})}

  async run(): Promise<{removed: number}> {
    const {connection, settings, environment} = this.nself
    await confirmDestructive({
      action: `empty the migration history ${settings.migrationTable} of ${connection.database} (${environment})`,
      typed: connection.database,
      force: Boolean(this.flags.force),
    })
    const removed = await resetHistory(await this.connect(), migrateOptions(this.nself))
    this.log(`Removed ${removed} row(s) from ${settings.migrationTable}; the schema is unchanged.`)
    return {removed}
  }
}
