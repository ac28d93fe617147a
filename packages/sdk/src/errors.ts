/**
 * Errors with stable exit codes. Library code (which knows nothing of oclif) throws these;
 * the base command turns them into one compact message (or one JSON object) and the exit code.
 * This module must not import @oclif/core: the core library and plugins' hooks use it at run time.
 */

/** Exit codes, documented in README.md ("Exit codes"). Never renumber: scripts depend on them. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  config: 3,
  connection: 4,
  validation: 5,
  refused: 6,
} as const

export type ExitCodeName = keyof typeof ExitCode

export interface NselfErrorOptions {
  /** A stable machine-readable code such as NSELF_CONFIG_INVALID. */
  code?: string
  /** What the user can do about it. */
  hint?: string
  cause?: unknown
  /** Structured details that --json errors carry beside the message (e.g. {file, row, line, column}). */
  fields?: Record<string, string | number | undefined>
}

export class NselfError extends Error {
  readonly exit: number
  readonly code: string
  readonly hint?: string
  readonly fields?: Record<string, string | number | undefined>

  constructor(message: string, exit: number = ExitCode.failed, options: NselfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'NselfError'
    this.exit = exit
    this.code = options.code ?? 'NSELF_FAILED'
    this.hint = options.hint
    if (options.fields) this.fields = options.fields
  }
}

export class UsageError extends NselfError {
  constructor(message: string, options: NselfErrorOptions = {}) {
    super(message, ExitCode.usage, {code: 'NSELF_USAGE', ...options})
  }
}

export class ConfigError extends NselfError {
  constructor(message: string, options: NselfErrorOptions = {}) {
    super(message, ExitCode.config, {code: 'NSELF_CONFIG', ...options})
  }
}

export class ConnectionError extends NselfError {
  constructor(message: string, options: NselfErrorOptions = {}) {
    super(message, ExitCode.connection, {code: 'NSELF_CONNECTION', ...options})
  }
}

export class ValidationError extends NselfError {
  constructor(message: string, options: NselfErrorOptions = {}) {
    super(message, ExitCode.validation, {code: 'NSELF_VALIDATION', ...options})
  }
}

export class RefusedError extends NselfError {
  constructor(message: string, options: NselfErrorOptions = {}) {
    super(message, ExitCode.refused, {code: 'NSELF_REFUSED', ...options})
  }
}

/**
 * Thrown by a plugin's beforeMigrate hook to stop a run before any SQL: exit 6, NSELF_REFUSED, with
 * the plugin's message. It also carries oclif's exit field, so the code survives when the plugin
 * resolved its own copy of @nself/sdk (then instanceof NselfError is false in the core).
 */
export class VetoError extends RefusedError {
  readonly oclif = {exit: ExitCode.refused}

  constructor(message: string, options: NselfErrorOptions = {}) {
    super(message, options)
    this.name = 'VetoError'
  }
}

export class OperationError extends NselfError {
  constructor(message: string, options: NselfErrorOptions = {}) {
    super(message, ExitCode.failed, {code: 'NSELF_FAILED', ...options})
  }
}

/** Exit code of any thrown value: ours, oclif's (err.oclif.exit) or a plain error (1). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof NselfError) return error.exit
  // An NselfError made by another copy of this package (a plugin that bundled its own).
  if (isForeignNselfError(error)) return error.exit
  const oclifExit = (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit
  if (typeof oclifExit === 'number') return oclifExit
  return ExitCode.failed
}

/** Shaped like an NselfError (numeric exit, string code) though not an instance of this copy's class. */
export function isForeignNselfError(error: unknown): error is Error & {exit: number; code: string; hint?: string} {
  const e = error as {exit?: unknown; code?: unknown} | undefined
  return (
    error instanceof Error && Number.isInteger(e?.exit) && typeof e?.code === 'string' && e.code.startsWith('NSELF_')
  )
}
