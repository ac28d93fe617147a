import {Flags} from '@oclif/core'
import {ExitCode} from '@nself/sdk/errors'
import {listBackups, verifyBackup, type BackupEntry} from '../../../backup/index.js'
import {formatBytes} from '../../../cli/bytes.js'
import {DbCommand} from '../../../cli/db-command.js'

interface Row {
  name: string
  createdAt: string
  size: number
  migration: string | null
  compressed: boolean
  includesSeeds: boolean
  method?: string
  valid: boolean
  problem?: string
}

export default class DbBackupList extends DbCommand<typeof DbBackupList> {
  static override summary = 'List the backups, newest first.'
  static override description =
    'Files that are incomplete or damaged are listed as not valid and are never restored or pruned. With --verify, any backup that is not valid makes the exit code 5 (for monitoring).'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override enableJsonFlag = true
  static override flags = {
    verify: Flags.boolean({
      description: 'Read every backup completely and check every checksum (as restore does), not only its manifest.',
    }),
  }

  async run(): Promise<{directory: string; backups: Row[]}> {
    const entries = await listBackups(this.nself.backupDir)
    if (this.flags.verify) for (const entry of entries) await verifyEntry(entry)
    const backups = entries.map((b): Row => ({
      name: b.name,
      createdAt: b.createdAt,
      size: b.size,
      migration: b.manifest?.migration.last ?? null,
      compressed: b.manifest?.compressed ?? false,
      includesSeeds: b.manifest?.includesSeeds ?? false,
      method: b.manifest?.method,
      valid: b.valid,
      ...(b.problem ? {problem: b.problem} : {}),
    }))
    if (backups.length === 0) this.log(`No backups in ${this.nself.backupDir}. Take one with: nself db backup`)
    for (const b of backups) {
      const details = b.valid
        ? `${b.createdAt.replace('T', ' ').slice(0, 19)}  ${formatBytes(b.size).padStart(8)}  ${(b.method ?? '').padEnd(7)}  migration ${b.migration ?? '-'}${b.compressed ? '  compressed' : ''}${b.includesSeeds ? '  +seeds' : ''}`
        : `NOT VALID: ${b.problem}`
      this.log(`${b.name.padEnd(32)} ${details}`)
    }
    const damaged = backups.filter((b) => !b.valid).length
    if (this.flags.verify && damaged > 0) {
      process.exitCode = ExitCode.validation
      this.notice(`${damaged} of ${backups.length} backups are not valid (exit ${ExitCode.validation}).`)
    }
    return {directory: this.nself.backupDir, backups}
  }
}

async function verifyEntry(entry: BackupEntry): Promise<void> {
  if (!entry.valid) return
  try {
    await verifyBackup(entry.path)
  } catch (error) {
    entry.valid = false
    entry.problem = (error as Error).message.replace(/^backup \S+ cannot be used: /, '')
  }
}
