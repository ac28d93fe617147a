import {DbCommand} from '../../cli/db-command.js'
import {endStaleSessions, ping} from '../../db/info.js'

export default class DbReconnect extends DbCommand<typeof DbReconnect> {
  static override summary = 'Drop stale nself sessions and connect afresh.'
  static override description = `nself opens a connection per command and keeps no pool, so there is no pool to reset. Instead this re-reads the configuration (.env files), starts the embedded server again if it stopped, ends the sessions that earlier nself commands left on the database (a killed command can leave one idle in a transaction, holding locks), and checks the new connection.`
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override enableJsonFlag = true

  async run(): Promise<{endedSessions: number[]; serverVersion: string; roundTripMs: number}> {
    const client = await this.connect()
    const endedSessions = await endStaleSessions(client)
    const {serverVersion, roundTripMs} = await ping(client)
    this.log(
      `Ended ${endedSessions.length} stale nself session(s)${endedSessions.length ? ` (pid ${endedSessions.join(', ')})` : ''}.`,
    )
    this.log(`Connected: PostgreSQL ${serverVersion}, ${roundTripMs} ms round trip.`)
    return {endedSessions, serverVersion, roundTripMs}
  }
}
