import {BaseCommand} from '@nself/sdk'
import {Flags} from '@oclif/core'
import {loadConfig} from '../../config/index.js'
import {followOpLog, formatOpLog, opLogPath, readOpLog, type OpLogEntry} from '../../cli/oplog.js'

export default class LogsDb extends BaseCommand<typeof LogsDb> {
  static override summary =
    'Show the log of nself db commands run against this project: time, environment, command, database, outcome, duration.'
  static override description =
    'Every nself db command that connects to a database appends one JSON line to .nself/logs/db.log. No connection string or password is ever written.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --lines 50',
    '<%= config.bin %> <%= command.id %> --follow',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static override enableJsonFlag = true
  static override flags = {
    lines: Flags.integer({char: 'n', description: 'How many of the last lines to show.', default: 20, min: 1}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines as commands run (Ctrl-C to stop).'}),
  }

  async run(): Promise<OpLogEntry[] | undefined> {
    const {stateDir} = loadConfig().project
    const entries = readOpLog(stateDir, this.flags.lines)
    // With --follow and --json, each entry is one JSON line, so a consumer can read it as a stream.
    const print = (e: OpLogEntry) =>
      this.jsonEnabled() && this.flags.follow
        ? process.stdout.write(JSON.stringify(e) + '\n')
        : this.log(formatOpLog(e))
    if (!this.jsonEnabled() || this.flags.follow) entries.forEach(print)
    if (!entries.length && !this.jsonEnabled()) this.log(`No entries yet in ${opLogPath(stateDir)}.`)
    if (!this.flags.follow) return entries
    const stop = new AbortController()
    process.once('SIGINT', () => stop.abort())
    process.once('SIGTERM', () => stop.abort())
    await followOpLog(stateDir, print, stop.signal)
    return undefined // the entries went out one per line already
  }
}
