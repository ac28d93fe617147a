/**
 * Flags that installed plugins add to core commands. A plugin declares them in its package.json:
 *
 *   "nself": {"flags": {"db:migrate:up": {"update-hasura": {"type": "boolean", "description": "…", "env": "HASURA_AUTO_UPDATE"}}}}
 *
 * The command then accepts the flag (and shows it in --help, see help.ts), and passes its value to
 * the plugin's hooks as `options.flags`. Without the plugin, a flag from the table of known plugin
 * flags below is a usage error that names the plugin to install.
 */
import {Flags, type Interfaces} from '@oclif/core'
import {UsageError} from '@nself/sdk/errors'

export type PluginFlagDeclaration = {
  type: 'boolean' | 'string' | 'integer'
  description: string
  /** Environment variable that gives the value when the flag is not on the command line (process env, then the project's .env files). */
  env?: string
  /** Allowed values of a string flag. */
  options?: string[]
}

export type PluginFlag = PluginFlagDeclaration & {name: string; plugin: string}

/** Flags of plugins that nself knows by name, so using one without its plugin says what to install. */
const KNOWN_PLUGIN_FLAGS: Record<string, Record<string, string>> = {
  'db:migrate:up': {'update-hasura': '@nself/plugin-hasura'},
}

type PluginLike = {name: string; pjson: unknown}

/** The plugin flags declared for this command by the loaded plugins; bad declarations are reported, not fatal. */
export function declaredPluginFlags(
  plugins: Iterable<PluginLike>,
  commandId: string,
  taken: Set<string>,
  warn: (message: string) => void = () => {},
): PluginFlag[] {
  const out: PluginFlag[] = []
  for (const plugin of plugins) {
    const declared = (plugin.pjson as {nself?: {flags?: Record<string, Record<string, unknown>>}})?.nself?.flags?.[
      commandId
    ]
    if (!declared || typeof declared !== 'object') continue
    for (const [name, raw] of Object.entries(declared)) {
      const problem = checkDeclaration(name, raw)
      if (problem) warn(`plugin ${plugin.name}: flag --${name} of ${commandId} ignored: ${problem}`)
      else if (taken.has(name))
        warn(
          `plugin ${plugin.name}: flag --${name} of ${commandId} ignored: the command or another plugin already has --${name}`,
        )
      else {
        taken.add(name)
        out.push({...(raw as PluginFlagDeclaration), name, plugin: plugin.name})
      }
    }
  }
  return out
}

function checkDeclaration(name: string, raw: unknown): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return 'a flag name is lower-case letters, digits and dashes'
  const d = raw as Partial<PluginFlagDeclaration> | undefined
  if (!d || typeof d !== 'object') return 'the declaration is not an object'
  if (!['boolean', 'string', 'integer'].includes(String(d.type))) return 'type must be "boolean", "string" or "integer"'
  if (typeof d.description !== 'string' || !d.description) return 'description is missing'
  if (d.env !== undefined && (typeof d.env !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(d.env)))
    return 'env must be an environment variable name'
  return undefined
}

/** The oclif flag definitions of plugin flags (the env default is applied by flagValues, which knows the project's .env). */
export function toOclifFlags(flags: PluginFlag[]): Interfaces.FlagInput {
  const out: Interfaces.FlagInput = {}
  for (const f of flags) {
    const also = f.env ? ` Also ${f.env}=${f.type === 'boolean' ? 'true' : 'VALUE'}.` : ''
    const description = `${f.description}${also} (plugin ${f.plugin})`
    if (f.type === 'boolean') out[f.name] = Flags.boolean({description, allowNo: true})
    else if (f.type === 'integer') out[f.name] = Flags.integer({description})
    else out[f.name] = Flags.string({description, ...(f.options ? {options: f.options} : {})})
  }
  return out
}

/** The values handed to hooks: the parsed flag, else its env variable (process env first, then the project's settings). */
export function flagValues(
  flags: PluginFlag[],
  parsed: Record<string, unknown>,
  projectEnv: (name: string) => string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of flags) {
    let value = parsed[f.name]
    if (value === undefined && f.env) {
      const text = process.env[f.env] ?? projectEnv(f.env)
      if (text !== undefined && text !== '') value = fromText(f, text)
    }
    if (value !== undefined) out[f.name] = value
  }
  return out
}

function fromText(f: PluginFlag, text: string): unknown {
  if (f.type === 'boolean') return /^(true|1|yes)$/i.test(text.trim())
  if (f.type === 'integer') return Number.isInteger(Number(text)) ? Number(text) : undefined
  return text
}

/** A known plugin flag used while its plugin is not installed: say which plugin provides it. */
export function checkMissingPluginFlags(commandId: string, argv: string[], available: Set<string>): void {
  const known = KNOWN_PLUGIN_FLAGS[commandId] ?? {}
  for (const arg of argv) {
    if (arg === '--') break
    const name = /^--(?:no-)?([a-z][a-z0-9-]*)(?:=.*)?$/.exec(arg)?.[1]
    const plugin = name ? known[name] : undefined
    if (plugin && !available.has(name!)) {
      throw new UsageError(`--${name} is added to this command by the plugin ${plugin}, which is not installed`, {
        hint: `Install it: nself plugins install ${plugin}`,
      })
    }
  }
}
