/**
 * Reading and validating a schema file, and the text the command prints: the library side of
 * `nself db validate`, so the command stays a thin shell and tests can call it in-process.
 */
import type {ParsedSchema} from '../schema/model.js'
import {parseSchema} from '../schema/parse.js'
import {type Diagnostic, compareDiagnostics} from './diagnostic.js'
import {type SchemaSummary, type ValidationReport, validateSchemaDetailed} from './index.js'
import {readSchemaSource} from '../schema/read.js'

export interface ValidationResult {
  file: string
  valid: boolean
  errors: number
  warnings: number
  diagnostics: Diagnostic[]
  summary: SchemaSummary
  checks: ValidationReport['checks']
  notes: string[]
}

/** More diagnostics for a schema that parsed, from outside the core's checks (plugins' validateSchema hooks). */
export type ExtraChecks = (parsed: ParsedSchema) => Promise<Diagnostic[]>

/** Parses and validates `path`; `shown` is how messages name the file (database/schema.dbml). */
export async function validateFile(path: string, shown: string, extra?: ExtraChecks): Promise<ValidationResult> {
  const source = await readSchemaSource(path, shown)
  const parsed = await parseSchema(source, shown)
  const report = validateSchemaDetailed(parsed)
  if (extra && parsed.parseErrors.length === 0) {
    report.diagnostics.push(...(await extra(parsed)))
    report.diagnostics.sort(compareDiagnostics)
  }
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length
  return {file: shown, valid: errors === 0, errors, warnings: report.diagnostics.length - errors, ...report}
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

export function summaryLine(r: ValidationResult): string {
  const s = r.summary
  const counts =
    `${plural(s.tables, 'table')}, ${plural(s.columns, 'column')}, ${plural(s.refs, 'ref')}, ${plural(s.enums, 'enum')}, ${plural(s.indexes, 'index')}`.replace(
      /indexs/,
      'indexes',
    )
  return `${r.file}: ${counts}`
}

export function verboseLines(r: ValidationResult): string[] {
  const lines = [summaryLine(r), 'Checked:']
  for (const c of r.checks) lines.push(`  ${c.name}: ${c.looked}`)
  for (const n of r.notes) lines.push(`Note: ${n}`)
  return lines
}

export function resultLine(r: ValidationResult): string {
  if (r.valid) return `${r.file} is valid${r.warnings > 0 ? ` (${plural(r.warnings, 'warning')})` : ''}`
  return `${r.file}: ${plural(r.errors, 'error')}, ${plural(r.warnings, 'warning')}`
}
