import {existsSync} from 'node:fs'
import {resolve} from 'node:path'
import {Args, Flags} from '@oclif/core'
import {BaseCommand, UsageError, ValidationError} from '@nself/sdk'
import {type Finding, lintFile, renderFinding, summarizeFindings} from '../../lint/index.js'
import {resolvePaths} from '../../authoring/index.js'
import {discoverMigrations, sameVersion} from '../../runner/index.js'

export default class DbLint extends BaseCommand<typeof DbLint> {
  static override summary = 'Find migration statements that lock or rewrite busy tables, or fail on existing rows.'
  static override description = `Lints the up files of migrations (default: all of them) with squawk's rules for unsafe schema changes, and cites each rule's id (https://squawkhq.com/docs/<rule>): adding-required-field, adding-not-nullable-field, changing-column-type, require-concurrent-index-creation, require-concurrent-index-deletion, adding-foreign-key-constraint, constraint-missing-not-valid, disallowed-unique-constraint, adding-serial-primary-key-field, ban-drop-column, ban-drop-table, renaming-column, renaming-table, and nself's removing-enum-value. Statements on a table created in the same file are not flagged. Findings are warnings; --strict makes any finding exit 5.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> 003 004',
    '<%= config.bin %> <%= command.id %> path/to/file.sql --strict',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static override enableJsonFlag = true
  static override strict = false
  static override args = {
    migration: Args.string({description: 'Migration version (003) or SQL file; repeatable. Default: every migration.'}),
  }
  static override flags = {
    strict: Flags.boolean({description: 'Exit 5 when there is any finding.'}),
    'migrations-dir': Flags.string({description: 'Migrations folder. Default: database/migrations in the project.'}),
  }

  async run(): Promise<{files: string[]; findings: Finding[]}> {
    const {argv} = await this.parse(DbLint)
    const files = this.targets(argv as string[])
    const findings = files.flatMap(lintFile)
    const strictFail = this.flags.strict && findings.length > 0
    if (this.jsonEnabled()) {
      if (strictFail) process.exitCode = 5
      return {files, findings}
    }
    for (const f of findings) this.log(renderFinding(f))
    const line =
      findings.length === 0
        ? `No unsafe changes in ${files.length} file(s).`
        : `${findings.length} finding(s) in ${files.length} file(s): ${summarizeFindings(findings)}`
    if (strictFail)
      throw new ValidationError(line, {
        code: 'NSELF_LINT_FINDINGS',
        hint: '`nself db run --safe` generates the lock-light forms where there is one.',
      })
    this.log(line)
    return {files, findings}
  }

  /** Versions become their up files; other arguments are SQL files. */
  private targets(args: string[]): string[] {
    const dir = resolvePaths(undefined, this.flags['migrations-dir']).migrationsDir
    const migrations = discoverMigrations(dir)
    if (args.length === 0) return migrations.map((m) => m.upFile)
    return args.map((arg) => {
      if (/^\d+$/.test(arg)) {
        const m = migrations.find((x) => sameVersion(x.version, arg))
        if (!m)
          throw new UsageError(`no migration ${arg} in ${dir}`, {
            hint: 'Pass a version listed by `nself db status`, or a path to a .sql file.',
          })
        return m.upFile
      }
      if (!existsSync(arg))
        throw new UsageError(`${arg}: no such file`, {hint: 'Pass a migration version (003) or a path to a .sql file.'})
      return resolve(arg)
    })
  }
}
