/**
 * The parts of nself's own library the plugin uses to check DBML and to say what a change would do
 * to the schema: the same parser, validator and differ as `nself db validate` and `nself db diff`.
 *
 * A plugin cannot depend on the CLI package that loads it (that would be a cycle, and a second copy
 * of nself), so the library is imported at run time from the CLI running the command: oclif gives
 * its root folder and package.json (config.root, config.pjson.main). Only the functions below are
 * used; each is checked, so an older nself gives a clear message instead of a TypeError.
 */
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {ConfigError, ValidationError} from '@nself/sdk/errors'

export interface DiagnosticLike {
  severity: string
  message: string
}

export interface ParsedLike {
  model: unknown
  parseErrors: unknown[]
}

export interface ChangeLike {
  kind: string
  object: string
  summary: string
  destructive?: boolean
}

export interface CoreLibrary {
  parseSchema(source: string, file: string): Promise<ParsedLike>
  validateSchema(parsed: ParsedLike): DiagnosticLike[]
  renderDiagnostic(diagnostic: DiagnosticLike): string
  diffSchemas(from: unknown, to: unknown): ChangeLike[]
  emptyModel(): unknown
}

const NEEDED = ['parseSchema', 'validateSchema', 'renderDiagnostic', 'diffSchemas', 'emptyModel'] as const

/** Imports the library entry of the nself CLI whose root folder (and package.json `main`) is given. */
export async function loadCore(root: string, main = 'dist/index.js'): Promise<CoreLibrary> {
  const entry = join(root, main)
  let library: Record<string, unknown>
  try {
    library = (await import(pathToFileURL(entry).href)) as Record<string, unknown>
  } catch (error) {
    throw new ConfigError(`cannot load nself's schema library from ${entry}: ${(error as Error).message}`, {hint: 'The dbdiagram plugin runs inside nself (0.2 or newer); reinstall nself.'})
  }
  return checkCore(library, entry)
}

export function checkCore(library: Record<string, unknown>, entry: string): CoreLibrary {
  const missing = NEEDED.filter((name) => typeof library[name] !== 'function')
  if (missing.length > 0) {
    throw new ConfigError(`this nself's library (${entry}) lacks ${missing.join(', ')}, which the dbdiagram plugin needs`, {hint: 'Update nself and the plugin to the same version.'})
  }
  return library as unknown as CoreLibrary
}

export interface Checked {
  model: unknown
  warnings: string[]
}

/** Parses and validates DBML; errors (every one, located) make a ValidationError. */
export async function checkDbml(core: CoreLibrary, source: string, shown: string): Promise<Checked> {
  const parsed = await core.parseSchema(source, shown)
  const diagnostics = core.validateSchema(parsed)
  const errors = diagnostics.filter((d) => d.severity === 'error')
  const warnings = diagnostics.filter((d) => d.severity !== 'error').map((d) => core.renderDiagnostic(d))
  if (errors.length > 0) {
    const lines = errors.map((d) => core.renderDiagnostic(d)).join('\n')
    throw new ValidationError(`${shown} is not valid DBML for nself (${errors.length} error${errors.length === 1 ? '' : 's'}); nothing was written:\n${lines}`, {code: 'NSELF_SCHEMA_INVALID'})
  }
  return {model: parsed.model, warnings}
}

/** The schema changes from one DBML text to another, as one line each; undefined when `from` does not parse. */
export async function schemaChanges(core: CoreLibrary, from: string | undefined, to: unknown, shown: string): Promise<string[] | undefined> {
  let model = core.emptyModel()
  if (from !== undefined && from.trim() !== '') {
    const parsed = await core.parseSchema(from, shown)
    if (parsed.parseErrors.length > 0) return undefined
    model = parsed.model
  }
  return core.diffSchemas(model, to).map((c) => `${c.destructive ? '!' : ' '} ${c.summary}`)
}
