/**
 * The core's answer to the `loadProject` hook: plugins fire it (loadProject() in @nself/sdk/project)
 * to get the project's settings and its parsed, validated schema without importing the core (they
 * depend on @nself/sdk only). It can also parse DBML text a plugin holds (`source`) and list the
 * changes from an earlier version (`changesFrom`), as `nself db run` would plan them.
 */
import {relative, resolve} from 'node:path'
import type {LoadProjectHook, ProjectInfo, SchemaChangeView} from '@nself/sdk/hooks'
import {loadConfig} from '../config/index.js'
import {diffSchemas} from '../diff/index.js'
import {emptyModel} from '../schema/model.js'
import {parseSchema} from '../schema/parse.js'
import {validateSchema} from '../validate/index.js'
import {readSchemaSource} from '../schema/read.js'

const hook: LoadProjectHook = async function (options) {
  const config = loadConfig()
  const env: Record<string, string> = {}
  const sources: Record<string, string> = {}
  for (const [key, entry] of config.env) {
    env[key] = entry.value
    sources[key] = entry.source
  }
  const info: ProjectInfo = {root: config.project.root, environment: config.environment, env, sources}
  if (!options.schema && !options.validate && options.source === undefined && options.changesFrom === undefined)
    return info
  const path = options.file ? resolve(options.file) : config.project.schemaFile
  const file = options.file ?? (relative(process.cwd(), path) || path)
  const source = options.source ?? (await readSchema(path, file))
  const parsed = await parseSchema(source, file)
  const errors = parsed.parseErrors.map((e) => ({line: e.line, column: e.column, message: e.message}))
  const diagnostics = options.validate
    ? validateSchema(parsed).map((d) => ({
        line: d.line,
        column: d.column,
        severity: d.severity,
        message: d.message,
        rule: d.rule,
        ...(d.hint ? {hint: d.hint} : {}),
      }))
    : undefined
  const changes =
    options.changesFrom !== undefined && errors.length === 0
      ? await changesFrom(options.changesFrom, file, parsed.model)
      : undefined
  return {
    ...info,
    schema: {
      path,
      file,
      source,
      model: parsed.model,
      errors,
      ...(diagnostics ? {diagnostics} : {}),
      ...(changes ? {changes} : {}),
    },
  }
}

function readSchema(path: string, file: string): Promise<string> {
  return readSchemaSource(path, file)
}

async function changesFrom(
  text: string,
  file: string,
  to: Awaited<ReturnType<typeof parseSchema>>['model'],
): Promise<SchemaChangeView[] | undefined> {
  let from = emptyModel()
  if (text.trim() !== '') {
    const parsed = await parseSchema(text, file)
    if (parsed.parseErrors.length > 0) return undefined
    from = parsed.model
  }
  return diffSchemas(from, to).map((c) => ({
    kind: c.kind,
    object: c.object,
    summary: c.summary,
    destructive: c.destructive,
  }))
}

export default hook
