import {Flags} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {describeCandidate, findBreakingChanges, renameFlag} from '../../diff/index.js'
import {renderMigration} from '../../migrate/files.js'
import {planMigration, resolvePaths} from '../../migrate/generate.js'

export default class DbDiff extends BaseCommand {
  static summary = 'Show the SQL of the pending schema change (schema.dbml against the newest migration snapshot).'
  static description = `Prints what \`nself db run\` would write, without writing anything and without asking: possible renames are listed as notes (they are planned as drop + add unless --rename says otherwise).`

  static examples = ['<%= config.bin %> db diff', '<%= config.bin %> db diff --down', '<%= config.bin %> db diff --json']

  static enableJsonFlag = true

  static flags = {
    down: Flags.boolean({description: 'Print the down SQL too.'}),
    rename: Flags.string({description: 'Declare a rename, as for `db run` (repeatable).', multiple: true, default: []}),
    schema: Flags.string({description: 'Schema file (.dbml, or a model .json). Default: database/schema.dbml in the project.'}),
    'migrations-dir': Flags.string({description: 'Migrations folder. Default: database/migrations in the project.'}),
  }

  private get paths(): ReturnType<typeof resolvePaths> {
    return resolvePaths(this.flags.schema, this.flags['migrations-dir'])
  }

  async run(): Promise<{changes: Array<{kind: string; object: string; summary: string}>; up: string; down: string; breaking: string[]}> {
    const plan = await planMigration({
      ...this.paths,
      renameSpecs: this.flags.rename,
    })
    for (const warning of plan.warnings) this.warn(warning)
    const breaking = findBreakingChanges(plan.changes).map((b) => b.reason)
    const rendered = plan.changes.length === 0 ? {up: '', down: ''} : renderMigration(plan.changes, 'pending')
    const changes = plan.changes.map((c) => ({kind: c.kind, object: c.object, summary: c.summary}))
    if (plan.changes.length === 0) {
      this.log('No pending changes.')
      return {changes, ...rendered, breaking}
    }
    this.log(rendered.up)
    if (this.flags.down) this.log(rendered.down)
    for (const c of plan.candidates) this.log(`-- note: ${describeCandidate(c)}; if it is a rename: ${renameFlag(c)}`)
    return {changes, ...rendered, breaking}
  }
}
