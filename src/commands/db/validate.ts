import {relative, resolve} from 'node:path'
import {BaseCommand, ExitCode, ValidationError} from '@nself/sdk'
import {Flags} from '@oclif/core'
import type {NselfHooks} from '@nself/sdk/hooks'
import {type BreakingChange, describeCandidate, findBreakingChanges, renameFlag} from '../../diff/index.js'
import {loadTargetModel, planSchemaChange, resolvePaths} from '../../authoring/index.js'
import {findProjectRoot, projectPaths} from '../../project.js'
import type {ParsedSchema} from '../../schema/model.js'
import {type Diagnostic, renderDiagnostic} from '../../validate/diagnostic.js'
import {type ValidationResult, resultLine, validateFile, verboseLines} from '../../validate/report.js'
import {checkDown, deepValidate} from '../../verify/deep.js'
import {projectVerifyServer} from '../../verify/index.js'

export default class DbValidate extends BaseCommand<typeof DbValidate> {
  static override summary = 'Check database/schema.dbml: syntax, types, references, defaults, keys, cycles.'
  static override description =
    'Reports every problem at once as FILE:LINE:COL: error|warning: message (rule) and exits with code 5 when there is any error. --verbose adds a summary, what each check looked at, and notes on harmless cycles.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --deep',
    '<%= config.bin %> <%= command.id %> --check-down 004',
    '<%= config.bin %> <%= command.id %> --verbose',
    '<%= config.bin %> <%= command.id %> --json --file other.dbml',
  ]
  static override enableJsonFlag = true
  static override flags = {
    file: Flags.string({description: 'Schema file to check (default: database/schema.dbml in the project).'}),
    'check-breaking': Flags.boolean({
      description:
        'Also list what the pending change (schema against the newest migration snapshot) breaks for running applications or data; exit 5 when there is any.',
    }),
    deep: Flags.boolean({
      description:
        'Also run the whole CREATE script on a throwaway database (rolled back): expressions PostgreSQL refuses are reported at their DBML line.',
    }),
    'check-down': Flags.string({
      description:
        'Verify migration VERSION (a hand-written pair too) on a throwaway database: up, down, up again; records the verified checksums.',
    }),
  }

  async run(): Promise<object> {
    if (this.flags['check-down']) return this.checkDown(this.flags['check-down'])
    const result = await this.validate()
    if (!this.flags.deep || ('valid' in result && !result.valid)) return result
    const path = this.flags.file ? resolve(this.flags.file) : projectPaths(findProjectRoot()).schemaFile
    const shownPath = this.flags.file ?? (relative(process.cwd(), path) || path)
    const deep = await deepValidate(
      await projectVerifyServer((m) => this.notice(m)),
      await loadTargetModel(path, shownPath),
      shownPath,
    )
    if (!this.jsonEnabled()) this.log(`The CREATE script runs on ${deep.server} (throwaway database, rolled back).`)
    return {...result, deep}
  }

  private async checkDown(version: string): Promise<object> {
    const dir = resolvePaths(undefined, undefined).migrationsDir
    const {record, file} = await checkDown(await projectVerifyServer((m) => this.notice(m)), dir, version)
    this.log(
      `Migration ${version}: up, down and up again verified on ${record.server}; recorded in ${relative(process.cwd(), file)}.`,
    )
    return {version, verified: record}
  }

  private async validate(): Promise<ValidationResult & {error?: unknown; breaking?: BreakingChange[]}> {
    const path = this.flags.file ? resolve(this.flags.file) : projectPaths(findProjectRoot()).schemaFile
    const result = await validateFile(path, this.flags.file ?? (relative(process.cwd(), path) || path), (parsed) =>
      this.pluginChecks(parsed),
    )
    if (this.jsonEnabled()) {
      const json = this.jsonResult(result)
      return result.valid && this.flags['check-breaking'] ? {...json, ...(await this.checkBreaking(path))} : json
    }
    for (const d of result.diagnostics) this.log(renderDiagnostic(d))
    if (this.flags.verbose) for (const line of verboseLines(result)) this.log(line)
    if (!result.valid) throw new ValidationError(resultLine(result), {code: 'NSELF_SCHEMA_INVALID'})
    this.log(resultLine(result))
    if (this.flags['check-breaking']) return {...result, ...(await this.checkBreaking(path))}
    return result
  }

  /** Plugins' validateSchema hooks (e.g. `// hasura:` comments); a hook that fails is reported, not fatal. */
  private async pluginChecks(parsed: ParsedSchema): Promise<Diagnostic[]> {
    const options = {file: parsed.file, source: parsed.source, model: parsed.model}
    const {successes, failures} = await this.config.runHook<'validateSchema', NselfHooks>(
      'validateSchema',
      options,
      undefined,
      true,
    )
    for (const f of failures) this.warn(`validateSchema hook of ${f.plugin.name} failed: ${f.error.message}`)
    return successes.flatMap((s) => s.result ?? []).map((d) => ({...d, file: parsed.file}))
  }

  /** Breaking changes of the pending migration; possible renames are reported as what they are without --rename. */
  private async checkBreaking(path: string): Promise<{breaking: BreakingChange[]}> {
    const paths = resolvePaths(path, undefined)
    const plan = await planSchemaChange({...paths, renameSpecs: []})
    const breaking = findBreakingChanges(plan.changes)
    if (this.jsonEnabled()) {
      if (breaking.length > 0) process.exitCode = ExitCode.validation
      return {breaking}
    }
    if (breaking.length === 0) {
      this.log('No breaking changes pending.')
      return {breaking}
    }
    this.log(
      `Breaking changes pending (against ${plan.state.latest ? `migration ${plan.state.latest.version}` : 'an empty database'}):`,
    )
    for (const b of breaking) this.log(`  - ${b.reason}`)
    for (const c of plan.candidates)
      this.log(`  note: ${describeCandidate(c)}; if it is a rename, \`db run ${renameFlag(c)}\` keeps the data`)
    throw new ValidationError(`${breaking.length} breaking change${breaking.length === 1 ? '' : 's'} pending`, {
      code: 'NSELF_BREAKING_CHANGES',
    })
  }

  /** Under --json the diagnostics are the answer, errors or not: one object, and exit code 5 on errors. */
  private jsonResult(result: ValidationResult): ValidationResult & {error?: unknown} {
    if (result.valid) return result
    process.exitCode = ExitCode.validation
    return {...result, error: {code: 'NSELF_SCHEMA_INVALID', message: resultLine(result), exit: ExitCode.validation}}
  }
}
