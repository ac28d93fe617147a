import {relative, resolve} from 'node:path'
import {BaseCommand, ExitCode, ValidationError} from '@nself/sdk'
import {Flags} from '@oclif/core'
import {findProjectRoot, projectPaths} from '../../project.js'
import {renderDiagnostic} from '../../validate/diagnostic.js'
import {type ValidationResult, resultLine, validateFile, verboseLines} from '../../validate/report.js'

export default class DbValidate extends BaseCommand {
  static summary = 'Check database/schema.dbml: syntax, types, references, defaults, keys, cycles.'
  static description =
    'Reports every problem at once as FILE:LINE:COL: error|warning: message (rule) and exits with code 5 when there is any error. --verbose adds a summary, what each check looked at, and notes on harmless cycles.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --verbose', '<%= config.bin %> <%= command.id %> --json --file other.dbml']
  static enableJsonFlag = true
  static flags = {
    file: Flags.string({description: 'Schema file to check (default: database/schema.dbml in the project).'}),
  }

  async run(): Promise<ValidationResult & {error?: unknown}> {
    const path = this.flags.file ? resolve(this.flags.file) : projectPaths(findProjectRoot()).schemaFile
    const result = await validateFile(path, this.flags.file ?? (relative(process.cwd(), path) || path))
    if (this.jsonEnabled()) return this.jsonResult(result)
    for (const d of result.diagnostics) this.log(renderDiagnostic(d))
    if (this.flags.verbose) for (const line of verboseLines(result)) this.log(line)
    if (!result.valid) throw new ValidationError(resultLine(result), {code: 'NSELF_SCHEMA_INVALID'})
    this.log(resultLine(result))
    return result
  }

  /** Under --json the diagnostics are the answer, errors or not: one object, and exit code 5 on errors. */
  private jsonResult(result: ValidationResult): ValidationResult & {error?: unknown} {
    if (result.valid) return result
    process.exitCode = ExitCode.validation
    return {...result, error: {code: 'NSELF_SCHEMA_INVALID', message: resultLine(result), exit: ExitCode.validation}}
  }
}
