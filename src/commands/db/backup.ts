import {Flags} from '@oclif/core'
import {createBackup, type BackupResult} from '../../backup/index.js'
import {formatBytes} from '../../cli/bytes.js'
import {DbCommand} from '../../cli/db-command.js'

export default class DbBackup extends DbCommand<typeof DbBackup> {
  static override summary = 'Back up the database into DB_BACKUP_LOCATION (default ./database/backups).'
  static override description = `One file per backup (NAME.nself-backup, mode 0600) with a manifest: time, server version, last migration, each table's row count and checksum, sequence values. Uses pg_dump when a compatible one is installed, else nself's built-in COPY path. Old backups are pruned afterwards (DB_BACKUP_RETENTION_DAYS).`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --name pre-migration-backup',
    '<%= config.bin %> <%= command.id %> --compress --include-seeds',
  ]
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({description: 'Backup name (default backup-YYYY-MM-DD-HH-MM-SS, UTC).'}),
    compress: Flags.boolean({description: 'gzip the data (default DB_BACKUP_COMPRESSION).', allowNo: true}),
    'include-seeds': Flags.boolean({
      description: 'Put the seed files into the backup too (restore --seeds puts them back).',
    }),
  }

  async run(): Promise<
    Omit<BackupResult, 'manifest'> & {name: string; method: string; tables: number; rows: number; notCarried: string[]}
  > {
    const client = await this.connect()
    const result = await createBackup(this.nself, client, {
      name: this.flags.name,
      compress: this.flags.compress,
      includeSeeds: this.flags['include-seeds'],
    })
    const {manifest} = result
    const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0)
    this.log(
      `Backup ${manifest.name}: ${manifest.tables.length} tables, ${rows} rows, ${manifest.sequences.length} sequences (${manifest.method}${manifest.compressed ? ', compressed' : ''})`,
    )
    this.log(`Written to ${result.path} (${formatBytes(result.size)})`)
    for (const line of manifest.notCarried)
      this.warn(
        `not in this backup (the built-in path cannot carry them; install pg_dump ${manifest.server.version.split('.')[0]}+ to keep them): ${line}`,
      )
    for (const name of result.pruned)
      this.log(`Pruned ${name} (older than ${this.nself.settings.backupRetentionDays} days)`)
    return {
      path: result.path,
      size: result.size,
      pruned: result.pruned,
      name: manifest.name,
      method: manifest.method,
      tables: manifest.tables.length,
      rows,
      notCarried: manifest.notCarried,
    }
  }
}
