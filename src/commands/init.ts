import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {scaffoldProject, type ScaffoldResult} from '../init/scaffold.js'

export default class Init extends BaseCommand<typeof Init> {
  static override summary =
    'Create a project: .env.local, database/schema.dbml, migrations and seeds folders, docker-compose.yml.'
  static override description =
    'Never overwrites an existing file unless --force is given. .env.local gets a generated password and file mode 0600. With no database configured, every `nself db` command then runs on the embedded PostgreSQL server.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> my-project',
    '<%= config.bin %> <%= command.id %> --force',
  ]
  static override args = {dir: Args.string({description: 'Project folder (created if missing)', default: '.'})}
  static override flags = {force: Flags.boolean({description: 'Overwrite files that already exist.'})}
  static override enableJsonFlag = true

  async run(): Promise<ScaffoldResult> {
    const result = scaffoldProject(this.args.dir, {force: this.flags.force})
    for (const path of result.created) this.log(`created      ${path}`)
    for (const path of result.overwritten) this.log(`overwritten  ${path}`)
    for (const path of result.skipped) this.log(`exists, kept ${path} (use --force to overwrite)`)
    this.log(
      `\nProject ready in ${result.root}. Next: edit database/schema.dbml, then run: nself db run && nself db migrate:up`,
    )
    return result
  }
}
