/**
 * What bin/run.js does for plugins before oclif loads (Node built-ins only, a few file reads):
 * while a plugin is linked (`nself plugins link`), register the resolve hook that hands it nself's own
 * @nself/sdk (sdk-resolve.ts; a hook thread costs start-up time, so only then), and keep oclif's
 * "linked ESM module and cannot be auto-transpiled" warning quiet: nself plugins run their compiled
 * dist/ (`npm run build`). OCLIF_DISABLE_LINKED_ESM_WARNING=false brings the warning back.
 */
import {readFileSync} from 'node:fs'
import {register} from 'node:module'
import {homedir} from 'node:os'
import {join} from 'node:path'

/** oclif's data folder of the CLI named `bin`: <BIN>_DATA_DIR, else XDG_DATA_HOME/<bin>, else ~/.local/share/<bin>. */
export function pluginDataDir(bin: string, env: NodeJS.ProcessEnv = process.env): string {
  const own = env[`${bin.toUpperCase().replaceAll('-', '_')}_DATA_DIR`]
  if (own) return own
  const base =
    env.XDG_DATA_HOME || (process.platform === 'win32' && env.LOCALAPPDATA) || join(homedir(), '.local', 'share')
  return join(base, bin)
}

export function hasLinkedPlugins(dataDir: string): boolean {
  try {
    const pjson = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8')) as {
      oclif?: {plugins?: Array<{type?: string}>}
    }
    return (pjson.oclif?.plugins ?? []).some((p) => typeof p === 'object' && p?.type === 'link')
  } catch {
    return false
  }
}

export function preparePlugins(cliURL: string, env: NodeJS.ProcessEnv = process.env): void {
  env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= 'true'
  if (!hasLinkedPlugins(pluginDataDir('nself', env))) return
  register(new URL('./sdk-resolve.js', import.meta.url), {data: {parentURL: cliURL}})
}
