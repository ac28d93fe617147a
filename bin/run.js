#!/usr/bin/env node
// nself entry point. Two things happen here before oclif sees argv (see src/argv.ts):
// `--version` is answered without loading oclif (startup budget), and the mixed spelling
// `db migrate:up --dry-run` is joined to `db:migrate:up`, because stock oclif drops the word after it.
import {fastVersion, normalizeArgv} from '../dist/argv.js'

const argv = process.argv.slice(2)
if (!fastVersion(argv, import.meta.url)) {
  const {Config, execute} = await import('@oclif/core')
  const config = await Config.load(import.meta.url)
  await execute({args: normalizeArgv(config, argv), loadOptions: config})
}
