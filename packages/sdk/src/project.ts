/**
 * The one way for a plugin to get the project: its settings (.env files merged with the process
 * environment) and, on request, its parsed and validated schema. It fires the `loadProject` hook,
 * which the running nself answers, so a plugin never imports the core. Usable from a command
 * (`loadProject(this.config, …)`) and from a hook (`loadProject(this.config, …)` too).
 * No run-time import of @oclif/core.
 */
import type {Hook, Interfaces} from '@oclif/core'
import {ConfigError, ValidationError} from './errors.js'
import type {LoadProjectOptions, NselfHooks, ProjectInfo} from './hooks.js'

type RunHook = (
  event: 'loadProject',
  options: LoadProjectOptions,
  timeout?: number,
  capture?: boolean,
) => Promise<Hook.Result<ProjectInfo>>

/** The project's root, environment and settings; with `{schema: true}` (or `validate: true`) its schema too. */
export async function loadProject(config: Interfaces.Config, options: LoadProjectOptions = {}): Promise<ProjectInfo> {
  const runHook = config.runHook.bind(config) as unknown as RunHook
  const {successes, failures} = await runHook('loadProject', options, undefined, true)
  const answer = successes.find((s) => s.result)?.result
  if (answer) return answer
  if (failures.length > 0) throw failures[0].error
  throw new ConfigError('this nself does not answer the loadProject hook: the plugin needs nself 0.2 or newer')
}

/** The project with its schema, which must parse (with `validate: true`, also have no validation errors). */
export async function loadProjectSchema(
  config: Interfaces.Config,
  options: Omit<LoadProjectOptions, 'schema'> = {},
): Promise<ProjectInfo & {schema: NonNullable<ProjectInfo['schema']>}> {
  const info = await loadProject(config, {...options, schema: true})
  const schema = info.schema!
  const problems = [...schema.errors, ...(schema.diagnostics ?? []).filter((d) => d.severity === 'error')]
  if (problems.length > 0) {
    const first = problems[0]
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
    throw new ValidationError(`${schema.file}:${first.line}:${first.column}: ${first.message}${more}`, {
      hint: 'Run nself db validate to see every problem.',
    })
  }
  return info as ProjectInfo & {schema: NonNullable<ProjectInfo['schema']>}
}

export type {NselfHooks}
