/**
 * Seed errors always say where: the file (relative to the project), the row (1-based, as the loader
 * counts them) or SQL line, and the column when known.
 */
import {NselfError, ValidationError} from '@nself/sdk/errors'

export interface SeedPosition {
  row?: number
  column?: string
  line?: number
}

export function seedFileError(display: string, message: string, at: SeedPosition = {}, cause?: unknown): ValidationError {
  const where = [at.row !== undefined ? `row ${at.row}` : '', at.line !== undefined ? `line ${at.line}` : '', at.column ? `column ${at.column}` : '']
    .filter(Boolean)
    .join(', ')
  return new ValidationError(`${display}${where ? ` ${where}` : ''}: ${message}`, {cause, code: 'NSELF_SEED_INVALID', hint: 'Nothing was seeded: the whole run was rolled back.'})
}

/** A loader's own error (any Error with a numeric `row`, like SeedRowError) as a seed error. */
export function loaderError(display: string, error: unknown): NselfError {
  if (error instanceof NselfError) return error
  const {row, column, line} = (error ?? {}) as SeedPosition
  const message = error instanceof Error ? error.message : String(error)
  return seedFileError(display, message, {row: typeof row === 'number' ? row : undefined, column: typeof column === 'string' ? column : undefined, line: typeof line === 'number' ? line : undefined}, error)
}
