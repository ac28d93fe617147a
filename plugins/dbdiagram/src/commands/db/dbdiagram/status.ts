import {Flags} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {diagramFlag, syncContext} from '../../../common.js'
import {type SyncResult, status} from '../../../lib/operations.js'

export default class DbdiagramStatus extends BaseCommand<typeof DbdiagramStatus> {
  static override summary =
    'Compare database/schema.dbml with the dbdiagram.io diagram: in sync, local ahead, remote ahead, or both changed.'
  static override description = `Compares both with the last sync recorded in database/.dbdiagram.json. When both changed (or there is no record and they differ) it shows what changed on each side. Changes nothing.`

  static override examples = [
    '<%= config.bin %> db dbdiagram status',
    '<%= config.bin %> db dbdiagram status --json',
    '<%= config.bin %> db dbdiagram status --from-file ~/Downloads/shop.dbml',
  ]

  static override enableJsonFlag = true
  static override flags = {
    'from-file': Flags.string({
      description: 'Compare with DBML exported from dbdiagram.io instead of calling the API.',
    }),
    diagram: diagramFlag,
  }

  async run(): Promise<SyncResult> {
    return status(await syncContext(this, this.flags), this.flags['from-file'])
  }
}
