import {Flags} from '@oclif/core'
import {pruneBackups} from '../../../backup/index.js'
import {DbCommand} from '../../../cli/db-command.js'

export default class DbBackupPrune extends DbCommand<typeof DbBackupPrune> {
  static override summary = 'Delete backups older than DB_BACKUP_RETENTION_DAYS (never the newest one).'
  static override examples = ['<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %>']
  static override enableJsonFlag = true
  static override flags = {
    'dry-run': Flags.boolean({description: 'Only say what would be deleted.'}),
  }

  async run(): Promise<{dryRun: boolean; retentionDays: number; pruned: {name: string; createdAt: string}[]}> {
    const dryRun = Boolean(this.flags['dry-run'])
    const days = this.nself.settings.backupRetentionDays
    const pruned = (await pruneBackups(this.nself, {dryRun})).map((b) => ({name: b.name, createdAt: b.createdAt}))
    if (days === 0) this.log('DB_BACKUP_RETENTION_DAYS=0: every backup is kept.')
    else if (pruned.length === 0) this.log(`No backup is older than ${days} days.`)
    for (const b of pruned) this.log(`${dryRun ? 'Would delete' : 'Deleted'} ${b.name} (${b.createdAt})`)
    return {dryRun, retentionDays: days, pruned}
  }
}
