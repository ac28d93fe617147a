/**
 * The core's answer to the `loadProject` hook: plugins fire it to get the project's settings and its
 * parsed schema without importing the core (they depend on @nself/sdk only).
 */
import {readFile} from 'node:fs/promises'
import {relative, resolve} from 'node:path'
import {ConfigError} from '@nself/sdk/errors'
import type {LoadProjectHook, ProjectInfo} from '@nself/sdk/hooks'
import {loadConfig} from '../config/index.js'
import {parseSchema} from '../schema/parse.js'
import {validateSchema} from '../validate/index.js'

const hook: LoadProjectHook = async function (options) {
  const config = loadConfig()
  const env: Record<string, string> = {}
  for (const [key, entry] of config.env) env[key] = entry.value
  const info: ProjectInfo = {root: config.project.root, environment: config.environment, env}
  if (!options.schema && !options.validate) return info
  const path = options.file ? resolve(options.file) : config.project.schemaFile
  const file = options.file ?? (relative(process.cwd(), path) || path)
  let source: string
  try {
    source = await readFile(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message
    throw new ConfigError(`cannot read the schema ${file}: ${reason}`, {hint: 'create database/schema.dbml (nself init does) or pass --file PATH'})
  }
  const parsed = await parseSchema(source, file)
  const errors = parsed.parseErrors.map((e) => ({line: e.line, column: e.column, message: e.message}))
  const diagnostics = options.validate
    ? validateSchema(parsed).map((d) => ({line: d.line, column: d.column, severity: d.severity, message: d.message, rule: d.rule, ...(d.hint ? {hint: d.hint} : {})}))
    : undefined
  return {...info, schema: {path, file, source, model: parsed.model, errors, ...(diagnostics ? {diagnostics} : {})}}
}

export default hook
