import {DbCommand} from '../../cli/db-command.js'
import {ping, type PingResult} from '../../db/info.js'

export default class DbPing extends DbCommand<typeof DbPing> {
  static override summary = 'Check that the database answers: round-trip time and server version.'
  static override description =
    'Connects with the project settings (or the embedded server) and runs SELECT 1. An unreachable server, a wrong password or a missing database each give one line and exit code 4, within 5 seconds.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override enableJsonFlag = true

  async run(): Promise<PingResult> {
    const client = await this.connect()
    const result = await ping(client)
    this.log(`ok: PostgreSQL ${result.serverVersion} answered in ${result.roundTripMs} ms`)
    return result
  }
}
