#!/usr/bin/env -S node --import tsx
// Development entry point: runs src/ through tsx, with the same argv handling as bin/run.js.
import {normalizeArgv} from '../src/argv.ts'

const {Config, execute} = await import('@oclif/core')
const config = await Config.load({root: new URL('..', import.meta.url).pathname, devPlugins: false})
await execute({args: normalizeArgv(config, process.argv.slice(2)), development: true, loadOptions: config})
