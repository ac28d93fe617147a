import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {join, relative} from 'node:path'
import {scaffoldPlugin, type PluginScaffoldResult} from '../../plugins/scaffold.js'
import {scaffoldVersions} from '../../plugins/versions.js'

export default class PluginsNew extends BaseCommand<typeof PluginsNew> {
  static override summary =
    'Create a TypeScript plugin project: a seed loader, a beforeMigrate/afterMigrate pair, a command, tests and a README.'
  static override description = `The project builds, tests and links without this repository: @nself/sdk (types and tests) comes from the tarball nself ships, copied to vendor/; at run time the plugin uses the running nself's own copy. Leave parts out with --no-seed-loader, --no-migrate-hooks or --no-command. See docs/plugins.md.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> nself-plugin-acme',
    '<%= config.bin %> <%= command.id %> @acme/nself-plugin-csv --format csv --no-command',
    '<%= config.bin %> <%= command.id %> nself-plugin-guard --no-seed-loader --no-command --dir ./guard',
  ]
  static override enableJsonFlag = true
  static override args = {name: Args.string({description: 'npm package name of the plugin', required: true})}
  static override flags = {
    dir: Flags.string({description: 'Folder to create (default: ./<name without scope>).'}),
    'seed-loader': Flags.boolean({description: 'Generate a seedLoader hook.', default: true, allowNo: true}),
    format: Flags.string({description: 'File extension the seed loader reads.', default: 'ndjson'}),
    'migrate-hooks': Flags.boolean({
      description: 'Generate beforeMigrate (a DROP TABLE guard) and afterMigrate hooks.',
      default: true,
      allowNo: true,
    }),
    command: Flags.boolean({description: 'Generate a command (nself <topic> hello).', default: true, allowNo: true}),
  }

  async run(): Promise<PluginScaffoldResult> {
    const result = scaffoldPlugin({
      name: this.args.name,
      dir: this.flags.dir,
      seedLoader: this.flags['seed-loader'],
      format: this.flags.format,
      migrateHooks: this.flags['migrate-hooks'],
      command: this.flags.command,
      sdkTarballDir: join(this.config.root, 'dist', 'sdk'),
      versions: scaffoldVersions(this.config.root),
    })
    for (const file of result.files) this.log(`created  ${file}`)
    const where = relative(process.cwd(), result.root) || '.'
    this.log(
      `\nPlugin ${result.name} ready in ${where}. Next:\n  cd ${where} && npm install && npm run build && npm test\n  ${this.config.bin} plugins link ${where}`,
    )
    return result
  }
}
