import {Args, Flags} from '@oclif/core'
import {installSchedule, removeSchedule, showSchedule, type ScheduleTarget} from '../../../backup/index.js'
import {DbCommand} from '../../../cli/db-command.js'

export default class DbBackupSchedule extends DbCommand<typeof DbBackupSchedule> {
  static override summary = 'Install, show or remove a cron schedule that runs `nself db backup` in this project.'
  static override description =
    'The cron line is marked with the project folder, so installing again replaces it. Retention (DB_BACKUP_RETENTION_DAYS) applies after each scheduled backup.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> install --cron "0 3 * * *"',
    '<%= config.bin %> <%= command.id %> show',
    '<%= config.bin %> <%= command.id %> remove',
  ]
  static override enableJsonFlag = true
  static override args = {
    action: Args.string({description: 'What to do.', options: ['install', 'show', 'remove'], default: 'show'}),
  }
  static override flags = {
    cron: Flags.string({description: 'When to run, in cron syntax (default: 03:00 every day).', default: '0 3 * * *'}),
  }

  async run(): Promise<{action: string; installed: boolean; cron?: string; line?: string}> {
    const target: ScheduleTarget = {projectRoot: this.nself.project.root, nself: [process.execPath, process.argv[1]]}
    const {action} = this.args
    if (action === 'install') {
      const schedule = await installSchedule(target, this.flags.cron)
      this.log(`Installed: nself db backup runs at "${schedule.cron}" (log: .nself/backup-schedule.log)`)
      return {action, installed: true, ...schedule}
    }
    if (action === 'remove') {
      const removed = await removeSchedule(target)
      this.log(removed ? 'Removed the backup schedule.' : 'There was no backup schedule for this project.')
      return {action, installed: false}
    }
    const schedule = await showSchedule(target)
    this.log(
      schedule
        ? `Backups run at "${schedule.cron}":\n${schedule.line}`
        : 'No backup schedule for this project. Install one with: nself db backup:schedule install',
    )
    return {action, installed: Boolean(schedule), ...schedule}
  }
}
