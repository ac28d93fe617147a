/**
 * Firing the migration hooks. beforeMigrate fails closed: whatever a hook throws (VetoError,
 * this.error, a plain Error), a hook file that cannot be loaded, or a declared hook file that
 * exports no function, refuses the run before anything changes (exit 6, NSELF_REFUSED, naming the
 * plugin). afterMigrate cannot undo anything: an error that carries an exit code fails the command
 * with that code once the run was reported; any other error is a warning.
 */
import type {Hook, Interfaces} from '@oclif/core'
import {ExitCode, NselfError, RefusedError, exitCodeOf, isForeignNselfError} from '@nself/sdk/errors'
import type {AfterMigrateOptions, BeforeMigrateOptions, NselfHooks} from '@nself/sdk/hooks'

type Config = Interfaces.Config
type RunHook = <K extends 'beforeMigrate' | 'afterMigrate'>(
  event: K,
  options: NselfHooks[K]['options'],
  timeout?: number,
  capture?: boolean,
) => Promise<Hook.Result<void>>

/** Config.runHook typed for nself's hook events (the interface type does not take the hooks map). */
const runHook = (config: Config): RunHook => config.runHook.bind(config)
type Failure = {plugin: {name: string}; error: Error}

export async function fireBeforeMigrate(config: Config, options: BeforeMigrateOptions): Promise<void> {
  const declaring = [...config.plugins.values()].filter((p) => (p.hooks.beforeMigrate ?? []).length > 0)
  if (declaring.length === 0) return
  const result: Hook.Result<void> = await runHook(config)('beforeMigrate', options, undefined, true)
  const reasons = result.failures.map((f) => describeFailure(f as Failure))
  // oclif skips a hook file that exports no function without a word: for a guard, that is a failure too.
  const answered = new Set([...result.successes, ...result.failures].map((r) => r.plugin.name))
  for (const p of declaring)
    if (!answered.has(p.name)) reasons.push(`plugin ${p.name}: its beforeMigrate hook file exports no function`)
  if (reasons.length === 0) return
  const vetoed = result.failures.length > 0 && result.failures.every((f) => exitCodeOf(f.error) === ExitCode.refused)
  throw new RefusedError(
    reasons.length === 1
      ? `Refused by ${reasons[0]}`
      : `Refused by plugins:\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
    {
      hint: vetoed
        ? 'Nothing was changed.'
        : 'Nothing was changed. A beforeMigrate hook that fails or cannot load refuses every run: fix the plugin, or remove it (nself plugins uninstall <plugin>).',
    },
  )
}

function describeFailure(f: Failure): string {
  const message = messageOf(f.error)
  const load = isLoadError(f.error) ? 'its beforeMigrate hook cannot be loaded: ' : ''
  return `plugin ${f.plugin.name}: ${load}${message}`
}

/** What afterMigrate's failures mean for the command: warnings, and the error to end with (if any). */
export async function fireAfterMigrate(
  config: Config,
  options: AfterMigrateOptions,
): Promise<{warnings: string[]; error?: NselfError}> {
  if (![...config.plugins.values()].some((p) => (p.hooks.afterMigrate ?? []).length > 0)) return {warnings: []}
  const {failures} = await runHook(config)('afterMigrate', options, undefined, true)
  const warnings: string[] = []
  let error: NselfError | undefined
  for (const f of failures as Failure[]) {
    if (!error && hasExitCode(f.error)) error = asCommandError(f, options)
    else warnings.push(`afterMigrate hook of ${f.plugin.name} failed: ${messageOf(f.error)}`)
  }
  return {warnings, error}
}

/** The plugin's own exit code and code survive; the message says the migrations stayed as they are. */
function asCommandError(f: Failure, options: AfterMigrateOptions): NselfError {
  const e = f.error as Error & {code?: unknown; hint?: string}
  const code = e instanceof NselfError || isForeignNselfError(e) ? String(e.code) : 'NSELF_PLUGIN_FAILED'
  const applied = options.dryRun
    ? ''
    : ` (${options.applied.length} migration(s) ${options.direction === 'up' ? 'applied' : 'rolled back'}: they stay so)`
  return new NselfError(`afterMigrate hook of ${f.plugin.name}${applied}: ${messageOf(e)}`, exitCodeOf(e), {
    code,
    ...(e.hint ? {hint: e.hint} : {}),
    cause: e,
  })
}

function hasExitCode(error: unknown): boolean {
  if (error instanceof NselfError || isForeignNselfError(error)) return true
  const exit = (error as {oclif?: {exit?: unknown}} | undefined)?.oclif?.exit
  return typeof exit === 'number' && exit !== 0
}

function isLoadError(error: unknown): boolean {
  const code = (error as {code?: unknown})?.code
  return (
    error instanceof SyntaxError ||
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    code === 'ERR_UNKNOWN_FILE_EXTENSION'
  )
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\nSee more help with')[0].trim() || error.name
  return String(error)
}
