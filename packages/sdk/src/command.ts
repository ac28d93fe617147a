/**
 * Base class for every nself command, in core and in plugins: shared flags, compact errors with
 * stable exit codes, one small JSON object for errors under --json, and secrets kept out of output.
 */
import {Command, Flags, Interfaces} from '@oclif/core'
import {ExitCode, NselfError, exitCodeOf, isForeignNselfError} from './errors.js'
import {redact} from './redact.js'

/** The parsed flags of command class T: its own flags and the shared ones. */
export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
/** The parsed arguments of command class T. */
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export interface ErrorJson {
  /** Plus any structured fields the error carries (NselfError.fields), e.g. a seed error's file, row, line, column. */
  error: {code: string; message: string; exit: number; hint?: string; [field: string]: unknown}
}

/**
 * Generic the oclif way: `class Up extends BaseCommand<typeof Up>` gives run() typed `this.flags`
 * and `this.args` inferred from the class's own static flags and args.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  /** Parsed flags and args, available in run(): every command is parsed (and so strictly checked) in init(). */
  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>

  static override baseFlags = {
    verbose: Flags.boolean({description: 'Print more detail about what is done.', helpGroup: 'GLOBAL'}),
    debug: Flags.boolean({
      description: 'Print debug output (internal SQL, timings, stack traces). Also NSELF_DEBUG=true.',
      helpGroup: 'GLOBAL',
    }),
  }

  override async init(): Promise<void> {
    await super.init()
    // this.ctor is the concrete class, i.e. T; parse() cannot know that, so its result is narrowed here.
    const {flags, args} = await this.parse(await this.parseInput())
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
  }

  /**
   * What init() parses: the class's own flags and args. The core widens it for commands that
   * plugins add flags to (package.json "nself.flags").
   */
  protected async parseInput(): Promise<T> {
    return this.ctor as T
  }

  /** True with --debug or NSELF_DEBUG=true. Set before run() from the raw argv, so catch() sees it too. */
  protected get debugEnabled(): boolean {
    return (
      ['true', '1', 'yes', 'on'].includes((process.env.NSELF_DEBUG ?? '').toLowerCase()) ||
      this.argv.includes('--debug')
    )
  }

  protected get verboseEnabled(): boolean {
    return this.debugEnabled || this.argv.includes('--verbose')
  }

  /** Debug line on stderr, redacted. */
  protected debugLog(message: string): void {
    if (this.debugEnabled) process.stderr.write(redact(`[debug] ${message}`) + '\n')
  }

  /** A notice on stderr, also under --json (stdout then stays one JSON document). */
  protected notice(message: string): void {
    process.stderr.write(redact(message) + '\n')
  }

  override log(message = '', ...args: unknown[]): void {
    super.log(redact(message), ...args)
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(redact(message), ...args)
  }

  override warn(input: string | Error): string | Error {
    if (this.jsonEnabled()) return input
    const text = typeof input === 'string' ? input : input.message
    process.stderr.write(redact(`Warning: ${text}`) + '\n')
    return input
  }

  protected override toErrorJson(error: unknown): ErrorJson {
    return {error: describeError(error)}
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    // Already reported by a command this one ran (config.runCommand): only pass its exit code on.
    if ((error as {skipOclifErrorHandling?: boolean}).skipOclifErrorHandling) {
      process.exitCode = exitCodeOf(error)
      throw error
    }
    const described = describeError(error)
    process.exitCode = described.exit
    if (this.jsonEnabled()) {
      process.stdout.write(JSON.stringify({error: described}) + '\n')
    } else {
      const lines = [`Error: ${described.message}`]
      if (described.hint) lines.push(`Hint: ${described.hint}`)
      if (this.debugEnabled && error instanceof Error && error.stack) lines.push(error.stack)
      process.stderr.write(redact(lines.join('\n')) + '\n')
    }
    // Tell oclif's handler the error is dealt with: it exits with our code and prints nothing more.
    const handled = new Error(described.message) as Error & {oclif: {exit: number}; skipOclifErrorHandling: boolean}
    handled.oclif = {exit: described.exit}
    handled.skipOclifErrorHandling = true
    throw handled
  }
}

export function describeError(error: unknown): ErrorJson['error'] {
  const exit = exitCodeOf(error)
  const message = redact(messageOf(error))
  if (error instanceof NselfError || isForeignNselfError(error)) {
    const fields = (error as {fields?: Record<string, unknown>}).fields
    return {
      code: error.code,
      message,
      exit,
      ...(error.hint ? {hint: redact(error.hint)} : {}),
      ...(fields ? redactFields(fields) : {}),
    }
  }
  const code = exit === ExitCode.usage ? 'NSELF_USAGE' : ((error as {code?: string}).code ?? 'NSELF_FAILED')
  return {code: String(code), message, exit}
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\nSee more help with')[0].trim()
  if (typeof error === 'string') return error
  return JSON.stringify(error)
}

function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || ['code', 'message', 'exit', 'hint'].includes(key)) continue
    out[key] = typeof value === 'string' ? redact(value) : value
  }
  return out
}
