/**
 * A cache of rendered help text, so `nself --help` / `nself db --help` print without loading oclif
 * (loading @oclif/core alone costs ~70 ms; the startup budget is 2.6× `node -e 0`).
 * Node built-ins only: bin/run.js loads this before anything else.
 *
 * The key covers everything help depends on: the argv, the nself version, terminal width and colour
 * settings, and the modification times of every manifest and package.json that feeds the command
 * list (core, its bundled plugins, and user-installed or linked plugins). Any build, install, link
 * or uninstall therefore renders afresh.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

const HELP_FLAGS = new Set(['--help', '-h'])

/** `nself [words…] --help` or `nself help [words…]`, with nothing else. */
export function isHelpRequest(argv: string[]): boolean {
  if (argv[0] === 'help') return argv.slice(1).every((a) => !a.startsWith('-'))
  const flags = argv.filter((a) => a.startsWith('-'))
  return flags.length === 1 && HELP_FLAGS.has(flags[0]) && argv.at(-1) === flags[0]
}

export function helpCacheFile(argv: string[], root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string
      version: string
      oclif?: {plugins?: string[]}
    }
    const inputs: unknown[] = [
      argv,
      pkg.version,
      process.stdout.columns ?? 0,
      process.stdout.isTTY ?? false,
      env.NO_COLOR,
      env.FORCE_COLOR,
      env.COLUMNS,
    ]
    inputs.push(mtime(join(root, 'oclif.manifest.json')), mtime(join(root, 'package.json')))
    for (const name of pkg.oclif?.plugins ?? []) inputs.push(pluginMtimes(join(root, 'node_modules', name)))
    const dataDir = join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), pkg.name)
    inputs.push(userPluginMtimes(join(dataDir, 'package.json')))
    const key = createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32)
    return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), pkg.name, 'help', `${key}.txt`)
  } catch {
    return undefined
  }
}

/** Print cached help; false when there is none. */
export function printCachedHelp(file: string | undefined): boolean {
  if (!file) return false
  try {
    process.stdout.write(readFileSync(file))
    return true
  } catch {
    return false
  }
}

/** Copy what is written to stdout while fn runs; store it when fn succeeded. */
export async function renderAndCache(file: string | undefined, fn: () => Promise<void>): Promise<void> {
  if (!file) return fn()
  const chunks: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    return write(chunk, ...rest)
  }
  try {
    await fn()
  } finally {
    process.stdout.write = write
  }
  if (process.exitCode && process.exitCode !== 0) return
  try {
    mkdirSync(join(file, '..'), {recursive: true})
    writeFileSync(`${file}.${process.pid}`, chunks.join(''))
    renameSync(`${file}.${process.pid}`, file)
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}

function pluginMtimes(dir: string): number[] {
  return [mtime(join(dir, 'package.json')), mtime(join(dir, 'oclif.manifest.json'))]
}

function userPluginMtimes(file: string): unknown[] {
  const out: unknown[] = [mtime(file)]
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      oclif?: {plugins?: ({type?: string; root?: string} | string)[]}
    }
    for (const plugin of pkg.oclif?.plugins ?? []) {
      if (typeof plugin === 'object' && plugin.root) out.push(pluginMtimes(plugin.root))
    }
  } catch {
    // no user plugins
  }
  return out
}
