/**
 * Seed errors always say where: the file (relative to the project), the row (1-based, as the loader
 * counts them) or SQL line, and the column when known.
 */
import {NselfError, ValidationError} from '@nself/sdk/errors'
import {SOURCE_LINE} from '@nself/sdk/hooks'

export interface SeedPosition {
  row?: number
  column?: string
  line?: number
}

/**
 * "database/seeds/development/users.csv row 7, line 8, column email: …". `row` is the loader's record
 * number (1-based, a header not counted), `line` the physical line of the file. Under --json the
 * error carries them as fields too: {file, row, line, column}.
 */
export function seedFileError(
  display: string,
  message: string,
  at: SeedPosition = {},
  cause?: unknown,
): ValidationError {
  const where = [
    at.row !== undefined ? `row ${at.row}` : '',
    at.line !== undefined ? `line ${at.line}` : '',
    at.column ? `column ${at.column}` : '',
  ]
    .filter(Boolean)
    .join(', ')
  return new ValidationError(`${display}${where ? ` ${where}` : ''}: ${message}`, {
    cause,
    code: 'NSELF_SEED_INVALID',
    hint: 'Nothing was seeded: the whole run was rolled back.',
    fields: {file: display, row: at.row, line: at.line, column: at.column},
  })
}

/** The source line a loader attached to a row (SOURCE_LINE), if any. */
export function sourceLineOf(row: unknown): number | undefined {
  const line = row && typeof row === 'object' ? (row as Record<symbol, unknown>)[SOURCE_LINE] : undefined
  return typeof line === 'number' && Number.isInteger(line) ? line : undefined
}

/** A loader's own error (any Error with a numeric `row`, like SeedRowError) as a seed error. */
export function loaderError(display: string, error: unknown): NselfError {
  if (error instanceof NselfError) return error
  const {row, column, line} = (error ?? {}) as SeedPosition
  const message = error instanceof Error ? error.message : String(error)
  return seedFileError(
    display,
    message,
    {
      row: typeof row === 'number' ? row : undefined,
      column: typeof column === 'string' ? column : undefined,
      line: typeof line === 'number' ? line : undefined,
    },
    error,
  )
}
