/**
 * What every check produces: one located message per problem, rendered the way compilers do
 * (`database/schema.dbml:12:5: error: message (rule)`) so editors and CI can jump to it.
 */
import {commentText} from '@nself/sdk/sql'
import type {EnumModel, ParsedSchema, SourceLocation, TableModel} from '../schema/model.js'

export type Severity = 'error' | 'warning'

export interface Diagnostic {
  file: string
  line: number
  column: number
  severity: Severity
  message: string
  /** Stable id of the check, e.g. "unknown-type": scripts filter on it. */
  rule: string
  /** What to do about it (the spec's "Solution:" text where it gives one). */
  hint?: string
}

/** What a check returns: its findings, a line saying what it looked at, and --verbose notes. */
export interface CheckResult {
  diagnostics: Diagnostic[]
  looked: string
  notes?: string[]
}

export interface Check {
  name: string
  run(ctx: CheckContext): CheckResult
}

/** Lookups shared by the checks, built once per validation. */
export interface CheckContext {
  parsed: ParsedSchema
  /** "schema.table" → table. */
  tables: Map<string, TableModel>
  /** "schema.enum" → enum. */
  enums: Map<string, EnumModel>
  at(loc: SourceLocation | undefined, severity: Severity, rule: string, message: string, hint?: string): Diagnostic
}

export function createContext(parsed: ParsedSchema): CheckContext {
  const tables = new Map(parsed.model.tables.map((t) => [`${t.schema}.${t.name}`, t]))
  const enums = new Map(parsed.model.enums.map((e) => [`${e.schema}.${e.name}`, e]))
  const at = (
    loc: SourceLocation | undefined,
    severity: Severity,
    rule: string,
    message: string,
    hint?: string,
  ): Diagnostic => ({
    file: parsed.file,
    line: loc?.line ?? 1,
    column: loc?.column ?? 1,
    severity,
    message,
    rule,
    ...(hint ? {hint} : {}),
  })
  return {parsed, tables, enums, at}
}

/** `file:line:col: severity: message (rule)`, plus an indented "Solution:" line when there is a hint. */
/** One diagnostic as text; names in it may hold control characters, which are shown escaped. */
export function renderDiagnostic(d: Diagnostic): string {
  const head = `${commentText(d.file)}:${d.line}:${d.column}: ${d.severity}: ${commentText(d.message)} (${d.rule})`
  return d.hint ? `${head}\n  Solution: ${commentText(d.hint)}` : head
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
}

/** The spec's solution texts for the three error kinds it names. */
export const SOLUTIONS = {
  reference: 'Use correct ref syntax: [ref: > table.column]',
  circular: 'Review table relationships for circular dependencies',
  type: 'Use PostgreSQL-compatible data types',
} as const

export const qualified = (schema: string, name: string): string => (schema === 'public' ? name : `${schema}.${name}`)

/** "schema.table" keys as messages show them: `public.` left out, like everywhere else. */
export const shown = (key: string): string => (key.startsWith('public.') ? key.slice('public.'.length) : key)

/** "1 enum", "2 enums". */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`
