import {Flags} from '@oclif/core'
import {
  backupBeforeChange,
  findBackup,
  listBackups,
  requiresBackupBeforeChange,
  restoreBackup,
  restoreScope,
  verifyBackup,
  type RestoreResult,
  type RestoreScope,
  type SchemaTables,
} from '../../backup/index.js'
import {confirmDestructive, requireTerminal} from '../../cli/confirm.js'
import {DbCommand} from '../../cli/db-command.js'

export default class DbRestore extends DbCommand<typeof DbRestore> {
  static override summary = 'Restore a backup (the newest by default), all or nothing.'
  static override description = `The backup is verified completely first (every byte, every checksum); a damaged or truncated backup is refused and nothing changes. It asks before it changes anything (without a terminal, --force is required). In production, or with DB_CONFIRM_DESTRUCTIVE=true, you type the database name and the current state is backed up first.

A restore runs in one transaction. When the schema is too big for that (more tables, indexes and sequences than the server's lock table holds: max_locks_per_transaction × (max_connections + max_prepared_transactions), about 1,000 tables with the defaults), it runs in batches of transactions instead, under a safety backup of the current state taken first (pre-restore-<time>): if a batch fails, the safety backup is restored and the error says so; if the restore is killed part-way, the next nself db command restores the safety backup before anything else.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --name backup-2025-08-06-14-30-00',
    '<%= config.bin %> <%= command.id %> --interactive',
  ]
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({description: 'Backup to restore (see db backup:list).', exclusive: ['interactive']}),
    interactive: Flags.boolean({description: 'Choose the backup from a list, then confirm.'}),
    seeds: Flags.boolean({description: "Also write the backup's seed files back into database/seeds."}),
    clean: Flags.boolean({
      description: 'Also drop the schemas the backup does not contain (by default they are kept).',
    }),
    force: Flags.boolean({
      description: 'Skip the confirmation (required without a terminal; never enough in production).',
    }),
  }

  protected override lostRestoreSafetyOk = true

  async run(): Promise<RestoreResult & {safetyBackup?: string}> {
    const config = this.nself
    const backup = await findBackup(config.backupDir, this.flags.interactive ? await this.choose() : this.flags.name)
    const verified = await verifyBackup(backup.path)
    const client = await this.connect()
    let safetyBackup: string | undefined
    const scope = await restoreScope(client, config.connection.database, verified, this.flags.clean)
    this.describeScope(backup.name, scope)
    const from = scope.otherSource ? ` (made from another database, ${scope.otherSource})` : ''
    const action = `replace ${scope.replaces.length + scope.drops.length} schema(s) of database ${config.connection.database} (${config.environment}) with backup ${backup.name}${from}`
    // DB_CONFIRM_DESTRUCTIVE=true asks for the same care as production here.
    if (requiresBackupBeforeChange(config) || config.settings.confirmDestructive) {
      await confirmDestructive({
        action,
        typed: config.connection.database,
        force: this.flags.force,
        forceIsEnough: !config.isProduction,
      })
      safetyBackup = await backupBeforeChange(config, client, 'restore')
      this.log(`Backed up the current state first: ${safetyBackup}`)
    } else {
      // Destructive everywhere: a y/N in a terminal; without one, --force is required.
      await confirmDestructive({action, force: this.flags.force})
    }
    for (const line of verified.notCarried)
      this.warn(`this backup does not carry ${line}; the restore drops what the database has of them`)
    const result = await restoreBackup(config, client, backup.path, {
      verified,
      restoreSeeds: this.flags.seeds,
      clean: this.flags.clean,
      safetyBackup,
      onSafetyBackup: (path) =>
        this.notice(
          `Too big for one transaction: restoring in batches. Backed up the current state first (restored automatically if a batch fails): ${path}`,
        ),
      onBatch: ({index, total, step}) => this.debugLog(`restore batch ${index}/${total}: ${step}`),
    })
    this.log(
      `Restored ${result.name} (${result.method}${result.batches ? ', in batches' : ''}): ${result.tables.length} tables, ${result.sequences} sequences`,
    )
    for (const t of result.tables)
      this.log(
        `  ${`${t.schema}.${t.name}`.padEnd(40)} ${String(t.rows).padStart(10)} rows${t.rows === t.expected ? '' : `  (backup has ${t.expected})`}`,
      )
    for (const file of result.seedsRestored) this.log(`Seed file restored: ${file}`)
    const safety = safetyBackup ?? result.batches?.safetyBackup
    return {...result, ...(safety ? {safetyBackup: safety} : {})}
  }

  /** What will be dropped and kept, on stderr before the confirmation. */
  private describeScope(name: string, scope: RestoreScope): void {
    const list = (items: SchemaTables[]) =>
      items.map((s) => `schema ${s.schema} (${s.tables} table${s.tables === 1 ? '' : 's'})`).join(', ')
    this.notice(`Restoring ${name} into ${this.nself.connection.database}:`)
    this.notice(`  replaces: ${list(scope.replaces) || 'nothing the database has now'}`)
    if (scope.keeps.length > 0)
      this.notice(
        `  keeps: ${list(scope.keeps)}, not in the backup (--clean drops ${scope.keeps.length === 1 ? 'it' : 'them'})`,
      )
    if (scope.drops.length > 0) this.notice(`  drops: ${list(scope.drops)}, not in the backup (--clean)`)
    if (scope.otherSource)
      this.notice(
        `  backup ${name} was made from database ${scope.otherSource}, not ${this.nself.connection.database}: check that it belongs to this project`,
      )
  }

  private async choose(): Promise<string> {
    requireTerminal('Restore which backup?', '--name NAME (nself db backup:list shows the names)')
    const valid = (await listBackups(this.nself.backupDir)).filter((b) => b.valid)
    if (valid.length === 0) return findBackup(this.nself.backupDir).then((b) => b.name) // throws "no valid backup"
    const {default: Enquirer} = await import('enquirer')
    const choices = valid.map((b) => ({
      name: b.name,
      message: `${b.name}  (${b.createdAt.replace('T', ' ').slice(0, 19)}, migration ${b.manifest?.migration.last ?? '-'})`,
    }))
    const {name} = await Enquirer.prompt<{name: string}>({
      type: 'select',
      name: 'name',
      message: 'Restore which backup?',
      choices,
    })
    return name
  }
}
