import {DbCommand} from '../../cli/db-command.js'
import {resolveConnection} from '../../db/connect.js'
import {databaseInfo, type DatabaseInfo} from '../../db/info.js'

export default class DbInfo extends DbCommand<typeof DbInfo> {
  static override summary =
    'Show the connection parameters and the database: host, port, database, user, version, size.'
  static override description = 'The password is always masked, also with --json and --debug.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override enableJsonFlag = true

  async run(): Promise<DatabaseInfo> {
    const target = await resolveConnection(this.nself, (m) => this.notice(m))
    const info = await databaseInfo(await this.connect(), this.nself, target.port)
    const rows: [string, string][] = [
      ['Environment', info.environment],
      ['Mode', info.mode === 'embedded' ? 'embedded (nself runs the server; stop it with: nself db stop)' : 'external'],
      ['Host', info.host],
      ['Port', String(info.port)],
      ['Database', info.database],
      ['User', info.user],
      ['Password', info.password],
      ['Server version', info.serverVersion],
      ['Size', info.size],
    ]
    for (const [label, value] of rows) this.log(`${label.padEnd(16)}${value}`)
    return info
  }
}
