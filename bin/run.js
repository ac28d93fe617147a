#!/usr/bin/env node
// nself entry point. Before oclif sees argv (see src/argv.ts and src/help-cache.ts):
// `--version` and help that was rendered before are answered without loading oclif (startup
// budget), and the mixed spelling `db migrate:up --dry-run` is joined to `db:migrate:up`,
// because stock oclif drops the word after it. Then src/plugins/linked.ts: linked plugins get nself's
// own @nself/sdk, and oclif's linked-ESM warning stays quiet.
import {fastVersion, normalizeArgv} from '../dist/argv.js'
import {helpCacheFile, isHelpRequest, printCachedHelp, renderAndCache} from '../dist/help-cache.js'

const argv = process.argv.slice(2)
const root = new URL('..', import.meta.url).pathname
const helpFile = isHelpRequest(argv) && process.env.NSELF_HELP_CACHE !== 'false' ? helpCacheFile(argv, root) : undefined

if (!fastVersion(argv, import.meta.url) && !printCachedHelp(helpFile)) {
  await renderAndCache(helpFile, async () => {
    const {preparePlugins} = await import('../dist/plugins/linked.js')
    preparePlugins(import.meta.url)
    const {Config, execute} = await import('@oclif/core')
    const config = await Config.load(import.meta.url)
    await execute({args: normalizeArgv(config, argv), loadOptions: config})
  })
}
