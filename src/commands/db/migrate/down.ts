import {Flags} from '@oclif/core'
import {MigrateCommand, migrateFlags} from '../../../cli/migrate-command.js'
import {migrateDown} from '../../../runner/index.js'

export default class MigrateDown extends MigrateCommand<typeof MigrateDown> {
  static override summary = 'Roll back applied migrations, newest first (default: one).'
  static override description = `Runs the down files of applied migrations in reverse order. --to VERSION rolls back everything newer than VERSION and leaves VERSION applied; --all rolls back every migration.
Before any SQL runs, every down file must exist and hold statements. In production the command lists the down files, says which lose data (DROP TABLE/COLUMN or a "-- nself:data-loss" comment) and asks you to type the database name.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --steps 2',
    '<%= config.bin %> <%= command.id %> --to 001',
    '<%= config.bin %> <%= command.id %> --all --force',
  ]
  static override flags = {
    ...migrateFlags,
    to: Flags.string({
      description: 'Roll back every migration newer than this version; it stays applied.',
      exclusive: ['steps', 'all'],
    }),
    all: Flags.boolean({description: 'Roll back every applied migration.', exclusive: ['steps', 'to']}),
  }

  async run(): Promise<object> {
    const {steps, to, all} = this.flags
    return this.migrate('down', this.flags, (client, options) => migrateDown(client, {...options, steps, to, all}))
  }
}
