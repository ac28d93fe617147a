import {Flags} from '@oclif/core'
import {ValidationError} from '@nself/sdk'
import {commentText} from '@nself/sdk/sql'
import {DbCommand} from '../../cli/db-command.js'
import {describeCandidate, findBreakingChanges, renameFlag} from '../../diff/index.js'
import {type DriftChange, liveDrift, planSchemaChange, renderMigration, resolvePaths} from '../../authoring/index.js'

interface PendingResult {
  changes: Array<{kind: string; object: string; summary: string}>
  up: string
  down: string
  breaking: string[]
}

interface LiveResult {
  expectedVersion: string
  drift: DriftChange[]
}

export default class DbDiff extends DbCommand<typeof DbDiff> {
  static override summary =
    'Show the SQL of the pending schema change, or (--live) how the live database differs from its migrations.'
  static override description = `Without --live: prints what \`nself db run\` would write (schema.dbml against the newest migration snapshot), without writing anything, without asking and without a database. Possible renames are listed as notes (they are planned as drop + add unless --rename says otherwise).
With --live: reads the live database as \`nself db pull\` does and compares it with the state the applied migrations should have produced (the snapshot of the newest applied migration). Lists the changes that would turn the live database into what the migrations say (--json adds their SQL) and exits 5 when there is drift. Views, functions, triggers and other things DBML cannot express are not compared; nself's own tables (migration history, nself_seeds) never count.`

  static override examples = [
    '<%= config.bin %> db diff',
    '<%= config.bin %> db diff --down',
    '<%= config.bin %> db diff --live',
    '<%= config.bin %> db diff --json',
  ]

  static override enableJsonFlag = true

  static override flags = {
    down: Flags.boolean({description: 'Print the down SQL too.'}),
    live: Flags.boolean({
      description: 'Compare the live database with the state its applied migrations should have produced (drift).',
    }),
    rename: Flags.string({description: 'Declare a rename, as for `db run` (repeatable).', multiple: true, default: []}),
    schema: Flags.string({
      description: 'Schema file (.dbml, or a model .json). Default: database/schema.dbml in the project.',
    }),
    'migrations-dir': Flags.string({description: 'Migrations folder. Default: database/migrations in the project.'}),
  }

  private get paths(): ReturnType<typeof resolvePaths> {
    return resolvePaths(this.flags.schema, this.flags['migrations-dir'])
  }

  async run(): Promise<PendingResult | LiveResult> {
    return this.flags.live ? this.live() : this.pending()
  }

  private async pending(): Promise<PendingResult> {
    const plan = await planSchemaChange({...this.paths, renameSpecs: this.flags.rename})
    for (const warning of plan.warnings) this.warn(warning)
    const breaking = findBreakingChanges(plan.changes).map((b) => b.reason)
    const rendered =
      plan.changes.length === 0 ? {up: '', down: ''} : renderMigration(plan.changes, 'pending', this.paths.shownSchema)
    const changes = plan.changes.map((c) => ({kind: c.kind, object: c.object, summary: c.summary}))
    if (plan.changes.length === 0) {
      this.log('No pending changes.')
      return {changes, ...rendered, breaking}
    }
    this.log(rendered.up)
    if (this.flags.down) this.log(rendered.down)
    for (const c of plan.candidates)
      this.log(`-- note: ${commentText(`${describeCandidate(c)}; if it is a rename: ${renameFlag(c)}`)}`)
    return {changes, ...rendered, breaking}
  }

  private async live(): Promise<LiveResult> {
    const client = await this.connect()
    const {
      expectedVersion: version,
      drift,
      warnings,
    } = await liveDrift(client, {
      migrationsDir: this.paths.migrationsDir,
      historyTable: this.nself.settings.migrationTable,
    })
    for (const warning of warnings) this.warn(warning)
    if (this.jsonEnabled()) {
      if (drift.length > 0) process.exitCode = 5
      return {expectedVersion: version, drift}
    }
    if (drift.length === 0) {
      this.log(`No drift: the database matches migration ${version}.`)
      return {expectedVersion: version, drift}
    }
    this.log(`The database differs from migration ${version}. To make it match the migrations:`)
    for (const d of drift) this.log(`  - ${d.summary}${d.destructive ? ' (loses data)' : ''}`)
    this.log(
      'Either write a migration that keeps what was changed by hand (edit schema.dbml, `nself db run`), or undo it (`--json` lists the SQL).',
    )
    throw new ValidationError(
      `${drift.length} difference${drift.length === 1 ? '' : 's'} from the migrations (drift)`,
      {code: 'NSELF_DRIFT'},
    )
  }
}
