import {Flags} from '@oclif/core'
import {DbCommand} from '../../../cli/db-command.js'
import {migrateOptions, resolveMigration, type Resolution, type ResolveResult} from '../../../runner/index.js'

export default class MigrateResolve extends DbCommand<typeof MigrateResolve> {
  static override summary =
    'Change the migration history without running SQL: mark a version applied or rolled back, or accept an edited file.'
  static override description =
    'Exactly one of the flags, each naming a version. --applied records the migration as applied (with the checksum of its file today); --rolled-back removes it from the history; --accept-checksum records the current checksum of an applied file that was edited, so migrate:up runs again.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --applied 003',
    '<%= config.bin %> <%= command.id %> --rolled-back 004',
    '<%= config.bin %> <%= command.id %> --accept-checksum 002',
  ]
  static override enableJsonFlag = true
  static override flags = {
    applied: Flags.string({description: 'Mark VERSION applied without running it.', helpValue: 'VERSION'}),
    'rolled-back': Flags.string({
      description: 'Mark VERSION rolled back (remove it from the history) without running its down file.',
      helpValue: 'VERSION',
    }),
    'accept-checksum': Flags.string({
      description: 'Accept the edited up file of applied VERSION.',
      helpValue: 'VERSION',
    }),
  }

  async run(): Promise<ResolveResult> {
    const given = (['applied', 'rolled-back', 'accept-checksum'] as const).flatMap((r): [Resolution, string][] => {
      const version = this.flags[r]
      return version === undefined ? [] : [[r, version]]
    })
    if (given.length !== 1) this.error('give exactly one of --applied, --rolled-back, --accept-checksum', {exit: 2})
    const [[resolution, version]] = given
    const result = await resolveMigration(await this.connect(), resolution, version, migrateOptions(this.nself))
    const what = {
      applied: 'marked applied',
      'rolled-back': 'marked rolled back',
      'accept-checksum': 'checksum accepted',
    }[resolution]
    this.log(`${result.version}_${result.name}: ${what} (no SQL was run).`)
    return result
  }
}
