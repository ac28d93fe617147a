import {Flags} from '@oclif/core'
import {pull, type PullResult} from '../../adopt/pull.js'
import {pullReport} from '../../adopt/report.js'
import {DbCommand} from '../../cli/db-command.js'
import {resolvePaths} from '../../authoring/generate.js'

export default class DbPull extends DbCommand<typeof DbPull> {
  static override summary = 'Write database/schema.dbml from the live database.'
  static override description = `Reads the database's catalog (tables, columns, keys, indexes, enums, comments) and writes schema.dbml with PostgreSQL's own names, so that \`nself db run\` finds nothing to change. What DBML cannot express (views, functions, triggers, policies, extensions, grants, partitions …) is listed; --keep-extras also writes it into a migration. An existing schema.dbml that says something else is replaced only with --force (the difference is shown).
--baseline records the database as migration 000_baseline: snapshot and history row, nothing run; the next \`db run\` diffs against it.`

  static override examples = [
    '<%= config.bin %> db pull',
    '<%= config.bin %> db pull --baseline --keep-extras',
    '<%= config.bin %> db pull --schema public --schema billing --exclude-table "tmp_*"',
    '<%= config.bin %> db pull --force',
  ]

  static override enableJsonFlag = true

  static override flags = {
    schema: Flags.string({
      description:
        'Schema to read (repeatable). Default: every schema but pg_*, information_schema, auth, storage and hdb_catalog.',
      multiple: true,
    }),
    'exclude-table': Flags.string({
      description: 'Glob pattern of tables to leave out, matched against `table` and `schema.table` (repeatable).',
      multiple: true,
    }),
    'keep-extras': Flags.boolean({
      description: 'Write what DBML cannot express into a migration (recorded as applied here).',
    }),
    baseline: Flags.boolean({description: 'Record the database as migration 000_baseline (applied, nothing run).'}),
    force: Flags.boolean({description: 'Replace a schema.dbml that says something else.'}),
    file: Flags.string({description: 'Schema file to write. Default: database/schema.dbml in the project.'}),
    'migrations-dir': Flags.string({description: 'Migrations folder. Default: database/migrations in the project.'}),
  }

  /** `db baseline` is this command with --baseline always on. */
  protected get baselineMode(): boolean {
    return this.flags.baseline === true
  }

  async run(): Promise<PullResult> {
    const paths = resolvePaths(this.flags.file, this.flags['migrations-dir'])
    const result = await pull(await this.connect(), {
      ...paths,
      historyTable: this.nself.settings.migrationTable,
      schemas: this.flags.schema,
      excludeTables: this.flags['exclude-table'],
      force: this.flags.force,
      keepExtras: this.flags['keep-extras'],
      baseline: this.baselineMode,
    })
    for (const line of pullReport(result, paths.shownSchema, this.flags['keep-extras'] === true)) this.log(line)
    return result
  }
}
