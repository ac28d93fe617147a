import {BaseCommand} from '@nself/sdk'
import {UsageError} from '@nself/sdk/errors'
import {loadConfig, requireProject} from '../../config/index.js'
import {ensureEmbeddedServer} from '../../db/embedded.js'

export default class DbStart extends BaseCommand<typeof DbStart> {
  static override summary = 'Start the embedded PostgreSQL server (commands also start it on demand).'
  static override description =
    'Only for the embedded server, used when neither POSTGRES_HOST nor DATABASE_URL is set. Data lives in .nself/postgres; it listens on 127.0.0.1 only.'
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override enableJsonFlag = true

  async run(): Promise<{port: number; dataDir: string}> {
    const config = loadConfig()
    if (!config.connection.embedded)
      throw new UsageError('a server is configured (POSTGRES_HOST or DATABASE_URL): nself does not manage it')
    requireProject(config)
    const server = await ensureEmbeddedServer(config.project.stateDir, (m) => this.notice(m))
    this.log(`Embedded PostgreSQL is running on 127.0.0.1:${server.port} (data: ${server.dataDir}).`)
    return {port: server.port, dataDir: server.dataDir}
  }
}
