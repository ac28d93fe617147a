import {Flags} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {coreOf, diagramFlag, forceFlag, overwriteFlag, syncContext} from '../../../common.js'
import {type SyncResult, push} from '../../../lib/operations.js'

export default class DbdiagramPush extends BaseCommand<typeof DbdiagramPush> {
  static override summary = 'Create or update the dbdiagram.io diagram from database/schema.dbml.'
  static override description = `Validates schema.dbml, then updates the diagram (DBDIAGRAM_DIAGRAM_ID), or creates one when none is configured. Refuses (exit 6) when the diagram changed since the last sync, showing what changed on each side; --overwrite replaces it anyway.
Needs DBDIAGRAM_TOKEN (dbdiagram's API is for paid plans). Without one, --to-file writes the DBML to paste into the editor.`

  static override examples = [
    '<%= config.bin %> db dbdiagram push',
    '<%= config.bin %> db dbdiagram push --name "Shop schema"',
    '<%= config.bin %> db dbdiagram push --to-file schema-for-dbdiagram.dbml',
  ]

  static override enableJsonFlag = true
  static override flags = {
    'to-file': Flags.string({description: 'Write the DBML to this file instead of calling the API (no token needed).'}),
    name: Flags.string({description: 'Name of a newly created diagram (default: the project folder name).'}),
    diagram: diagramFlag,
    overwrite: overwriteFlag,
    force: forceFlag,
  }

  async run(): Promise<SyncResult> {
    const ctx = await syncContext(this, this.flags)
    return push(ctx, coreOf(this), {
      toFile: this.flags['to-file'],
      name: this.flags.name,
      overwrite: this.flags.overwrite,
    })
  }
}
