import {relative} from 'node:path'
import {Flags} from '@oclif/core'
import {BaseCommand, RefusedError} from '@nself/sdk'
import {askYesNo} from '../../cli/confirm.js'
import {loadConfig} from '../../config/index.js'
import type {Change, Rename} from '../../diff/index.js'
import {
  candidateToRename,
  describeCandidate,
  findBreakingChanges,
  renameFlag,
  type RenameCandidate,
} from '../../diff/index.js'
import {migrationSlug, nextVersion, renderMigration, writeMigration} from '../../authoring/index.js'
import {dataLosingDrops, type Plan, planSchemaChange, replan, resolvePaths} from '../../authoring/index.js'
import {withFolderLock} from '../../util/dir-lock.js'
import {type Finding, lintChanges, safeChanges, summarizeFindings} from '../../lint/index.js'
import {recordFor, type Verified, verifyPlan} from '../../verify/index.js'

interface ChangeJson {
  kind: string
  object: string
  summary: string
  destructive: boolean
  transactional: boolean
  dataLoss?: string
  downDataLoss?: string
}

export interface GenerateResult {
  changed: boolean
  /** Hand-written migrations without a snapshot (their changes are not part of the comparison). */
  warnings: string[]
  dryRun: boolean
  version?: string
  name?: string
  files?: {up: string; down: string; snapshot: string}
  changes: ChangeJson[]
  up?: string
  down?: string
  /** The scratch-database proof, or false under --no-verify. */
  verified?: {server: string; ms: number} | false
  lint?: Finding[]
}

export default class DbRun extends BaseCommand<typeof DbRun> {
  static override summary = 'Generate the next migration (up and down SQL) from the changes in database/schema.dbml.'
  static override description = `Compares database/schema.dbml with the schema as it stands after the newest generated migration (its snapshot in database/migrations/meta/) and writes NNN_<slug>.up.sql and .down.sql.
Before anything is written, the pair is verified on a throwaway database (the embedded server, or NSELF_VERIFY_DATABASE_URL; never the project's database): existing migrations, the up, the down, the up again, each compared with the schema. A statement the server refuses is reported at its DBML line and nothing is written (exit 5). --no-verify skips this; the files then say "not verified". Changes that lock or rewrite busy tables are listed (squawk rule ids); --safe generates their lock-light forms.
A table or column that disappears while a compatible one appears may be a rename (an enum type replaced by one with the same values too, and a table that reappears under its name in another schema may be a move): in a terminal you are asked; otherwise the command refuses until you decide with --rename or --allow-drop. Dropping a table or column needs --allow-drop (or a yes at the prompt).`

  static override examples = [
    '<%= config.bin %> db run',
    '<%= config.bin %> db run --message "Add user profiles table"',
    '<%= config.bin %> db run --dry-run',
    '<%= config.bin %> db run --rename users.name=full_name --rename old_table=new_table',
    '<%= config.bin %> db run --rename user_role=account_role --rename comments=archive.comments',
    '<%= config.bin %> db run --safe',
    '<%= config.bin %> db run --no-verify',
  ]

  static override enableJsonFlag = true

  static override flags = {
    message: Flags.string({char: 'm', description: 'What the migration does; becomes the file name slug.'}),
    'dry-run': Flags.boolean({description: 'Print the up and down SQL; write nothing.'}),
    rename: Flags.string({
      description:
        'Declare a rename: table.old_column=new_column, old_table=new_table, enum.old_value=new_value, old_enum=new_enum, or a move: table=new_schema.table (repeatable).',
      multiple: true,
      default: [],
    }),
    'allow-drop': Flags.boolean({description: 'Allow dropping tables and columns (their data is lost).'}),
    schema: Flags.string({
      description: 'Schema file (.dbml, or a model .json). Default: database/schema.dbml in the project.',
    }),
    'migrations-dir': Flags.string({description: 'Migrations folder. Default: database/migrations in the project.'}),
    verify: Flags.boolean({
      default: true,
      allowNo: true,
      description:
        'Prove the up and down on a throwaway database before writing (--no-verify: skip; the files say "not verified").',
    }),
    safe: Flags.boolean({
      description:
        'Generate lock-light forms: NOT VALID then VALIDATE, unique via a concurrent index, SET NOT NULL after a validated check.',
    }),
  }

  private get paths(): ReturnType<typeof resolvePaths> {
    return resolvePaths(this.flags.schema, this.flags['migrations-dir'])
  }

  async run(): Promise<GenerateResult> {
    const paths = this.paths
    // Two runs at once would both plan version NNN: the second waits for nothing and writes nothing.
    if (this.flags['dry-run']) return this.generate(paths)
    return withFolderLock(paths.migrationsDir, 'nself db run', () => this.generate(paths))
  }

  private async generate(paths: ReturnType<typeof resolvePaths>): Promise<GenerateResult> {
    const dryRun = Boolean(this.flags['dry-run'])
    let plan = await planSchemaChange({
      ...paths,
      renameSpecs: this.flags.rename,
    })
    for (const warning of plan.warnings) this.warn(warning)
    plan = await this.decide(plan)
    if (plan.changes.length === 0) {
      this.log(
        `No changes: ${paths.shownSchema} matches ${plan.state.latest ? `migration ${plan.state.latest.version}` : 'an empty database'}. Nothing written.`,
      )
      return {changed: false, dryRun, changes: [], warnings: plan.warnings}
    }
    const version = nextVersion(plan.state)
    const slug = migrationSlug(plan.changes, this.flags.message, plan.state.latest === undefined)
    const id = `${version}_${slug}`
    const changes = this.flags.safe ? safeChanges(plan.changes, plan.to) : plan.changes
    const verified = await this.verify(plan, changes)
    const note = verified
      ? `Verified on ${verified.server} before it was written (up, down, up again).`
      : 'not verified (written with --no-verify).'
    const rendered = renderMigration(changes, id, paths.shownSchema, note)
    const lint = lintChanges(changes, `${id}.up.sql`)
    const result: GenerateResult = {
      changed: true,
      dryRun,
      warnings: plan.warnings,
      version,
      name: id,
      changes: changes.map(toJson),
      verified: verified ?? false,
      lint,
    }
    if (dryRun) {
      this.printDryRun(id, rendered)
      this.reportLint(lint, id)
      return {...result, ...rendered}
    }
    const written = await writeMigration(
      paths.migrationsDir,
      version,
      slug,
      rendered,
      plan.to,
      verified ? recordFor(rendered, verified.server) : false,
    )
    this.report(changes, written.upFile, written.downFile)
    this.log(
      verified
        ? `Verified on ${verified.server} in ${verified.ms} ms (up, down, up again on a scratch database).`
        : 'Not verified (--no-verify).',
    )
    this.reportLint(lint, id)
    await this.autoMigrate()
    return {...result, files: {up: written.upFile, down: written.downFile, snapshot: written.snapshotFile}}
  }

  private async verify(plan: Plan, changes: Change[]): Promise<Verified | undefined> {
    if (!this.flags.verify) return undefined
    return verifyPlan(
      {
        existing: plan.state.migrations,
        changes,
        to: plan.to,
        shownSchema: this.paths.shownSchema,
        unsnapshotted: plan.state.unsnapshotted.length > 0,
      },
      (m) => this.notice(m),
    )
  }

  private reportLint(findings: Finding[], id: string): void {
    if (findings.length === 0 || this.jsonEnabled()) return
    const safe = this.flags.safe ? '' : ` (--safe rewrites ${findings.filter((f) => f.safe).length} of them)`
    this.log(
      `Lint: ${findings.length} unsafe-change finding(s): ${summarizeFindings(findings)}${safe}; \`nself db lint ${id.slice(0, id.indexOf('_'))}\` explains each.`,
    )
  }

  private get interactive(): boolean {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !this.jsonEnabled()
  }

  /** Renames and drops are the user's call: prompt in a terminal, refuse without one. */
  private async decide(plan: Plan): Promise<Plan> {
    if (this.flags['allow-drop']) return plan
    if (plan.candidates.length > 0) {
      if (!this.interactive) throw refuseCandidates(plan.candidates)
      plan = await this.askRenames(plan)
    }
    const drops = dataLosingDrops(plan.changes)
    if (drops.length === 0) return plan
    if (!this.interactive) throw refuseDrops(drops)
    const ok = await askYesNo(
      `These changes lose data:\n${drops.map((d) => `  - ${d.summary}`).join('\n')}\nGenerate the migration anyway?`,
    )
    if (!ok) throw new RefusedError('Stopped: nothing written.')
    return plan
  }

  private async askRenames(plan: Plan): Promise<Plan> {
    const renames: Rename[] = [...plan.renames]
    const rejected = new Set<string>()
    let {candidates} = plan
    // Ask one at a time: accepting a rename removes the other candidates that involve the same names.
    for (
      let next: RenameCandidate | undefined = candidates[0];
      next;
      next = candidates.find((c) => !rejected.has(JSON.stringify(c)))
    ) {
      if (await askYesNo(`Rename? ${describeCandidate(next)}. Is it a rename (keeps the data)?`))
        renames.push(candidateToRename(next))
      else rejected.add(JSON.stringify(next))
      candidates = replan(plan.from, plan.to, renames).candidates
    }
    return {...plan, renames, ...replan(plan.from, plan.to, renames)}
  }

  private printDryRun(id: string, rendered: {up: string; down: string}): void {
    if (this.jsonEnabled()) return
    this.log(`-- ===== ${id}.up.sql (dry run: nothing written) =====`)
    this.log(rendered.up)
    this.log(`-- ===== ${id}.down.sql =====`)
    this.log(rendered.down)
  }

  private report(changes: Change[], upFile: string, downFile: string): void {
    this.log(`Wrote ${relative(process.cwd(), upFile)}`)
    this.log(`Wrote ${relative(process.cwd(), downFile)}`)
    for (const c of changes)
      this.log(`  ${c.destructive ? '!' : '+'} ${c.summary}${c.transactional ? '' : ' [outside transaction]'}`)
    const lost = changes.filter((c) => c.dataLoss)
    if (lost.length > 0) this.warn(`the down cannot bring back: ${lost.map((c) => c.dataLoss).join('; ')}`)
    const breaking = findBreakingChanges(changes)
    if (breaking.length === 0) return
    if (this.verboseEnabled)
      this.log(`Breaking for running applications or data:\n${breaking.map((b) => `  - ${b.reason}`).join('\n')}`)
    else
      this.log(
        `${breaking.length} change(s) may break running applications or fail on existing rows (--verbose lists them).`,
      )
  }

  /**
   * DB_AUTO_MIGRATE=true: apply what was just written, through migrate:up itself (same hooks,
   * confirmations and production backup). Not under --json: stdout must stay one JSON document.
   */
  private async autoMigrate(): Promise<void> {
    let auto = false
    try {
      auto = loadConfig().settings.autoMigrate
    } catch {
      return // a bad setting is reported by the commands that need the configuration, not here
    }
    if (!auto) return
    if (this.jsonEnabled()) this.warn('DB_AUTO_MIGRATE=true is not applied under --json: run `nself db migrate:up`.')
    else await this.config.runCommand('db:migrate:up')
  }
}

function toJson(c: Change): ChangeJson {
  return {
    kind: c.kind,
    object: c.object,
    summary: c.summary,
    destructive: c.destructive,
    transactional: c.transactional,
    ...(c.dataLoss ? {dataLoss: c.dataLoss} : {}),
    ...(c.reverseDataLoss ? {downDataLoss: c.reverseDataLoss} : {}),
  }
}

function refuseCandidates(candidates: RenameCandidate[]): RefusedError {
  const lines = candidates.map((c) => `  - ${describeCandidate(c)}: if renamed, pass ${renameFlag(c)}`)
  return new RefusedError(`Possible renames need a decision (no terminal to ask):\n${lines.join('\n')}`, {
    code: 'NSELF_RENAME_UNDECIDED',
    hint: 'Pass --rename for each rename (e.g. --rename users.name=full_name, --rename old_table=new_table), or --allow-drop to drop and add (the data is lost).',
  })
}

function refuseDrops(drops: Change[]): RefusedError {
  return new RefusedError(`These changes lose data:\n${drops.map((d) => `  - ${d.summary}`).join('\n')}`, {
    code: 'NSELF_DROP_NOT_ALLOWED',
    hint: 'Pass --allow-drop to generate the migration anyway.',
  })
}
