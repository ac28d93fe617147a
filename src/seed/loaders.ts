/**
 * Which plugin reads which format. The CLI fires the `seedLoader` hook and passes every plugin's
 * answer here (this module knows nothing of oclif). A format claimed by two plugins, or by none, is
 * an error for the files of that format, naming the plugins or suggesting one to install.
 */
import type {SeedLoader} from '@nself/sdk/hooks'
import {ValidationError} from '@nself/sdk/errors'

export interface PluginLoaders {
  /** Plugin (package) name. */
  plugin: string
  loaders: SeedLoader[]
}

export interface LoaderChoice {
  loader: SeedLoader
  plugin: string
}

export interface LoaderRegistry {
  formats: Map<string, LoaderChoice[]>
  /** Answers that were not loaders, as messages naming the plugin. */
  warnings: string[]
}

export function buildRegistry(answers: PluginLoaders[]): LoaderRegistry {
  const formats = new Map<string, LoaderChoice[]>()
  const warnings: string[] = []
  for (const {plugin, loaders} of answers) {
    for (const loader of loaders) {
      if (!isLoader(loader)) {
        warnings.push(
          `plugin ${plugin} answered the seedLoader hook with something that is not a loader ({formats: string[], load(file)}): ignored`,
        )
        continue
      }
      for (const format of new Set(loader.formats.map((f) => f.toLowerCase().replace(/^\./, '')))) {
        if (!formats.has(format)) formats.set(format, [])
        formats.get(format)!.push({loader, plugin})
      }
    }
  }
  return {formats, warnings}
}

function isLoader(value: unknown): value is SeedLoader {
  const loader = value as SeedLoader
  return (
    Boolean(loader) &&
    Array.isArray(loader.formats) &&
    loader.formats.every((f) => typeof f === 'string') &&
    typeof loader.load === 'function'
  )
}

export function loaderFor(registry: LoaderRegistry, format: string, display: string): LoaderChoice {
  const choices = registry.formats.get(format) ?? []
  if (choices.length === 1) return choices[0]
  if (choices.length === 0) {
    const known = [...registry.formats.keys()].sort().join(', ') || 'none'
    throw new ValidationError(`no plugin reads the "${format}" seed format (file ${display})`, {
      code: 'NSELF_SEED_NO_LOADER',
      hint: `Install a plugin for it (nself plugins install <plugin>), or rename the file. Formats available: ${known}.`,
    })
  }
  const plugins = [...new Set(choices.map((c) => c.plugin))]
  throw new ValidationError(
    `plugins ${plugins.join(' and ')} both read the "${format}" seed format (file ${display})`,
    {
      code: 'NSELF_SEED_LOADER_CONFLICT',
      hint: `Uninstall one of them (nself plugins uninstall ${plugins[plugins.length - 1]}).`,
    },
  )
}
