import {BaseCommand} from '@nself/sdk'
import {loadConfig} from '../../config/index.js'
import {stopEmbeddedServer} from '../../db/embedded.js'

export default class DbStop extends BaseCommand<typeof DbStop> {
  static override summary = 'Stop the embedded PostgreSQL server.'
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override enableJsonFlag = true

  async run(): Promise<{stopped: boolean}> {
    const stopped = await stopEmbeddedServer(loadConfig().project.stateDir)
    this.log(stopped ? 'Stopped the embedded PostgreSQL server.' : 'The embedded PostgreSQL server was not running.')
    return {stopped}
  }
}
