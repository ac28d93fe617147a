/** Errors that PostgreSQL sends, as node-postgres (or any driver with the same fields) raises them. */

/** Fields node-postgres puts on a server error. */
export interface PgError extends Error {
  /** SQLSTATE, e.g. 23503. */
  code?: string
  detail?: string
  hint?: string
  where?: string
  column?: string
  /** 1-based character offset of the error in the query text. */
  position?: string
  constraint?: string
  table?: string
}

/** An error reported by the server (it has a five-character SQLSTATE), not a network or client one. */
export function isPgError(error: unknown): error is PgError {
  return (
    error instanceof Error &&
    typeof (error as PgError).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as PgError).code!)
  )
}

export interface PgMessageOptions {
  /** Append "(SQLSTATE 23503)": where a script may want to tell errors apart. */
  sqlstate?: boolean
}

/**
 * PostgreSQL's message with its detail, on one line, e.g. 'insert … violates foreign key …
 * (Key (author_id)=(…) is not present in table "users".)'.
 */
export function pgMessage(error: PgError, options: PgMessageOptions = {}): string {
  const detail = error.detail ? ` (${error.detail})` : ''
  const code = options.sqlstate && error.code ? ` (SQLSTATE ${error.code})` : ''
  return `${error.message}${detail}${code}`
}
