import {Flags} from '@oclif/core'
import DbPull from './pull.js'

export default class DbBaseline extends DbPull {
  static override summary =
    'Record the live database as migration 000_baseline and write schema.dbml from it (same as db pull --baseline).'
  static override description = `For a project whose database already exists: writes schema.dbml from the database (as \`db pull\` does) and migration 000_baseline, whose snapshot is what the next \`db run\` diffs against. On this database the baseline is recorded as applied in the history table and nothing is run; on a new database \`db migrate:up\` runs it to build the schema from nothing. With --keep-extras the baseline also recreates what DBML cannot express (views, functions, triggers …).`

  static override examples = [
    '<%= config.bin %> db baseline',
    '<%= config.bin %> db baseline --keep-extras --exclude-table "legacy_*"',
  ]

  static override flags = {
    ...DbPull.flags,
    baseline: Flags.boolean({hidden: true, description: 'Always on for this command.'}),
  }

  protected override get baselineMode(): boolean {
    return true
  }
}
