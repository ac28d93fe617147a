import {DbCommand} from '../../cli/db-command.js'
import {compareVersions, readHistory} from '../../runner/index.js'

export default class DbHistory extends DbCommand<typeof DbHistory> {
  static override summary = 'List applied migrations with when, how long and who.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override enableJsonFlag = true

  async run(): Promise<object[]> {
    const rows = (await readHistory(await this.connect(), this.nself.settings.migrationTable)).sort((a, b) =>
      compareVersions(a.version, b.version),
    )
    if (!rows.length) this.log('No migration has been applied.')
    for (const r of rows) {
      const partial = r.statementsDone === undefined ? '' : `  PART WAY (${r.statementsDone} statements done)`
      this.log(
        `${r.version}_${r.name}`.padEnd(40) +
          `${r.appliedAt.toISOString()}  ${String(r.executionMs).padStart(7)} ms  ${r.appliedBy}${partial}`,
      )
    }
    return rows.map((r) => ({...r, appliedAt: r.appliedAt.toISOString(), partial: r.statementsDone !== undefined}))
  }
}
