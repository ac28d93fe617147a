/**
 * How an installed plugin gets nself's own @nself/sdk. Plugins declare it as an optional peer
 * dependency, so npm neither fetches it nor complains. Before `nself plugins install` runs npm in
 * the plugin data folder, the `plugins:preinstall` hook records nself's SDK folder there as a
 * `file:` dependency: npm links it as node_modules/@nself/sdk (no registry lookup) and keeps the link
 * across later installs and uninstalls, and every installed plugin's import of @nself/sdk walks up to
 * it. Linked plugins are served by the resolve hook (sdk-resolve.ts) instead. Node built-ins only.
 */
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The folder of the @nself/sdk package this nself runs with. */
export function sdkRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.resolve('@nself/sdk'))))
}

/** What plugin-plugins writes when it creates the data folder's package.json. */
const INITIAL: {dependencies?: Record<string, string>; [key: string]: unknown} = {
  dependencies: {},
  oclif: {plugins: [], schema: 1},
  private: true,
}

/** Make the plugin data folder's package.json depend on nself's SDK (written only when it changes). */
export function linkSdkDependency(dataDir: string, sdkDir: string = sdkRoot()): boolean {
  const file = join(dataDir, 'package.json')
  const pjson = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as {dependencies?: Record<string, string>})
    : structuredClone(INITIAL)
  const wanted = `file:${sdkDir}`
  if (pjson.dependencies?.['@nself/sdk'] === wanted) return false
  pjson.dependencies = {...pjson.dependencies, '@nself/sdk': wanted}
  writeAtomically(file, JSON.stringify(pjson, null, 2) + '\n')
  return true
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, text, {flag: 'wx'})
  renameSync(temp, file)
}
