import {Flags} from '@oclif/core'
import {DbCommand} from '../../cli/db-command.js'
import {confirmDestructive} from '../../cli/confirm.js'
import {seedProgress} from '../../cli/operation-progress.js'
import {withProgress} from '../../cli/progress.js'
import {collectSeedLoaders} from '../../cli/seed-loaders.js'
import {seed, type SeedResult} from '../../seed/index.js'

export default class DbSeed extends DbCommand<typeof DbSeed> {
  static override summary = 'Load the seed files of an environment (database/seeds/<env>/) in one transaction.'
  static override description = `Each file fills the table it is named after (users.json → users, 01_users.json sets the order). Files are loaded parents first by the database's foreign keys, all in one transaction: a bad row anywhere leaves every table as it was. Formats come from plugins (seedLoader hook): json and sql are built in; nself plugins install adds others.
A file already applied with the same content is skipped. A changed file is applied again only with --reapply (adds its rows again) or --fresh (empties the seeded tables first).`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --env staging',
    '<%= config.bin %> <%= command.id %> --tables users,posts',
    '<%= config.bin %> <%= command.id %> --fresh',
  ]
  static override enableJsonFlag = true
  static override flags = {
    env: Flags.string({description: 'Environment whose seeds to load (default: ENVIRONMENT, else development).'}),
    tables: Flags.string({description: 'Only these tables, comma-separated (users,posts or public.users).'}),
    fresh: Flags.boolean({
      description: 'Empty the seeded tables first (TRUNCATE … RESTART IDENTITY) and load every file again.',
    }),
    cascade: Flags.boolean({
      description:
        'With --fresh: also empty the tables that reference them and hold rows (as TRUNCATE … CASCADE would).',
      dependsOn: ['fresh'],
    }),
    reapply: Flags.boolean({
      description: 'Apply files that changed since they were applied (their rows are added again).',
    }),
    force: Flags.boolean({description: 'Do not ask before emptying tables in production.'}),
  }

  async run(): Promise<SeedResult> {
    const environment = this.flags.env ?? this.nself.environment
    const loaders = await collectSeedLoaders(this.config, environment, (m) => this.warn(m))
    const client = await this.connect()
    const options = {
      seedsDir: this.nself.project.seedsDir,
      projectRoot: this.nself.project.root,
      environment,
      tables: this.flags.tables
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      fresh: this.flags.fresh,
      cascade: this.flags.cascade,
      reapply: this.flags.reapply,
      loaders,
      confirm: (action: string) => this.confirmEmptying(action, environment),
    }
    const reporter = this.reporter()
    const result = await withProgress(reporter, () => seed(client, {...options, onEvent: seedProgress(reporter)}))
    const applied = result.files.filter((f) => f.status === 'applied').length
    if (result.files.length === 0) this.log(`Nothing to seed for ${environment}.`)
    else if (applied === 0) this.log(`Seeded ${environment}: nothing to apply (${result.files.length} file(s) skipped)`)
    else
      this.log(
        `Committed ${result.rows} rows from ${applied} file(s) to ${environment} in one transaction (${result.ms} ms)`,
      )
    return result
  }

  /** Emptying tables is destructive: ask in production (and wherever DB_CONFIRM_DESTRUCTIVE is true). */
  private async confirmEmptying(action: string, environment: string): Promise<void> {
    if (environment !== 'production' && !this.nself.settings.confirmDestructive) return
    await confirmDestructive({
      action: `${action} in ${this.nself.connection.database} (${environment})`,
      force: Boolean(this.flags.force),
    })
  }
}
