import {Flags} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {coreOf, diagramFlag, forceFlag, overwriteFlag, syncContext} from '../../../common.js'
import {type SyncResult, pull} from '../../../lib/operations.js'

export default class DbdiagramPull extends BaseCommand<typeof DbdiagramPull> {
  static override summary =
    "Replace database/schema.dbml with the dbdiagram.io diagram's DBML, after showing the change."
  static override description = `Fetches the diagram (or reads an exported file with --from-file), validates it like \`nself db validate\` (exit 5 on errors), shows the schema changes and the text diff, and writes schema.dbml only after confirmation or --force (without a terminal and without --force: exit 6).
Refuses (exit 6) when schema.dbml changed since the last sync, showing what changed on each side; --overwrite replaces it anyway.`

  static override examples = [
    '<%= config.bin %> db dbdiagram pull',
    '<%= config.bin %> db dbdiagram pull --force',
    '<%= config.bin %> db dbdiagram pull --from-file ~/Downloads/shop.dbml',
  ]

  static override enableJsonFlag = true
  static override flags = {
    'from-file': Flags.string({
      description: 'Read DBML exported from dbdiagram.io instead of calling the API (no token needed).',
    }),
    diagram: diagramFlag,
    overwrite: overwriteFlag,
    force: forceFlag,
  }

  async run(): Promise<SyncResult> {
    const ctx = await syncContext(this, this.flags)
    return pull(ctx, coreOf(this), {fromFile: this.flags['from-file'], overwrite: this.flags.overwrite})
  }
}
