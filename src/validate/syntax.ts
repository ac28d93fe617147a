/**
 * DBML syntax and name-resolution errors, as the parser reports them, made readable: errors in a
 * reference get the spec's "Invalid reference syntax" wording, and refs to tables or columns that
 * do not exist are reported as missing foreign-key targets.
 */
import type {ParseProblem} from '../schema/model.js'
import {type Check, type CheckContext, type Diagnostic, SOLUTIONS} from './diagnostic.js'

/** @dbml/parse code for "Table/Column '…' does not exist". */
const NOT_FOUND = 4000

export const syntaxCheck: Check = {
  name: 'syntax',
  run(ctx) {
    const lines = ctx.parsed.source.split('\n')
    const diagnostics = ctx.parsed.parseErrors.map((p) => toDiagnostic(ctx, p, lines[p.line - 1] ?? ''))
    return {diagnostics, looked: `DBML syntax and names (${lines.length} lines)`}
  },
}

function toDiagnostic(ctx: CheckContext, p: ParseProblem, line: string): Diagnostic {
  const loc = {line: p.line, column: p.column}
  const inRef = /\bref\b/i.test(line) || /\bref\b|relationship|endpoint/i.test(p.message)
  if (p.code === NOT_FOUND && inRef)
    return ctx.at(loc, 'error', 'fk-target', `missing foreign-key target: ${p.message}`)
  if (inRef)
    return ctx.at(loc, 'error', 'invalid-reference', `Invalid reference syntax: ${p.message}`, SOLUTIONS.reference)
  return ctx.at(loc, 'error', 'syntax', p.message)
}
