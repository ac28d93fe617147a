/**
 * `validateSchema(parsed)`: every check over one parsed schema, all problems at once, sorted by
 * position. A check that throws (a bug, never bad input) becomes one diagnostic instead of a crash.
 */
import type {ParsedSchema} from '../schema/model.js'
import {primaryKeyCheck, indexCheck, identifierCheck} from './constraints.js'
import {cyclesCheck} from './cycles.js'
import {defaultsCheck} from './defaults.js'
import {type Check, type Diagnostic, compareDiagnostics, createContext} from './diagnostic.js'
import {junctionsCheck} from './junctions.js'
import {referencesCheck} from './references.js'
import {syntaxCheck} from './syntax.js'
import {typesCheck} from './types.js'

export {renderDiagnostic, type Diagnostic, type Severity, SOLUTIONS} from './diagnostic.js'

export const CHECKS: Check[] = [
  syntaxCheck,
  typesCheck,
  referencesCheck,
  defaultsCheck,
  primaryKeyCheck,
  indexCheck,
  identifierCheck,
  cyclesCheck,
  junctionsCheck,
]

export interface ValidationReport {
  diagnostics: Diagnostic[]
  /** Per check, what it looked at (for --verbose). */
  checks: Array<{name: string; looked: string}>
  /** Non-fatal findings worth mentioning with --verbose (nullable cycles, self-references). */
  notes: string[]
  summary: SchemaSummary
}

export interface SchemaSummary {
  tables: number
  columns: number
  refs: number
  enums: number
  indexes: number
}

export function validateSchema(parsed: ParsedSchema): Diagnostic[] {
  return validateSchemaDetailed(parsed).diagnostics
}

export function validateSchemaDetailed(parsed: ParsedSchema, checks: Check[] = CHECKS): ValidationReport {
  const ctx = createContext(parsed)
  const report: ValidationReport = {diagnostics: [], checks: [], notes: [], summary: summarize(parsed)}
  // Without a model (parse errors) only the parser's findings mean anything; a partial model (only
  // unresolved refs left out) is checked in full.
  const run = parsed.parseErrors.length > 0 && !parsed.partial ? checks.filter((c) => c === syntaxCheck) : checks
  for (const check of run) {
    try {
      const result = check.run(ctx)
      // A loop, not push(...list): spreading a huge list overflows the call stack.
      for (const d of result.diagnostics) report.diagnostics.push(d)
      report.checks.push({name: check.name, looked: result.looked})
      for (const note of result.notes ?? []) report.notes.push(note)
    } catch (error) {
      const message = `internal error in the ${check.name} check: ${error instanceof Error ? error.message : String(error)}`
      report.diagnostics.push(ctx.at(undefined, 'error', 'internal', message))
    }
  }
  report.diagnostics.sort(compareDiagnostics)
  return report
}

export function summarize(parsed: ParsedSchema): SchemaSummary {
  const tables = parsed.model.tables
  const sum = (f: (t: (typeof tables)[number]) => number) => tables.reduce((n, t) => n + f(t), 0)
  return {
    tables: tables.length,
    columns: sum((t) => t.columns.length),
    refs: sum((t) => t.foreignKeys.length),
    enums: parsed.model.enums.length,
    indexes: sum((t) => t.indexes.length + t.uniques.length + (t.primaryKey ? 1 : 0)),
  }
}
