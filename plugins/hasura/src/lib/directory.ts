/**
 * Hasura's metadata directory (config v3), read and written:
 *
 *   version.yaml
 *   databases/databases.yaml                 sources; `tables: "!include default/tables/tables.yaml"`
 *   databases/<source>/tables/tables.yaml    - "!include public_users.yaml"
 *   databases/<source>/tables/<schema>_<table>.yaml
 *   databases/<source>/functions/…           the same for tracked functions
 *   remote_schemas.yaml, cron_triggers.yaml … the other top-level keys (hasura:export only)
 *
 * Rendering is a pure function of the metadata (YAML via the `yaml` package, keys in the order held),
 * so a rerun on unchanged input writes the same bytes; files whose text would not change are not
 * touched. Writes go to a temporary file that is renamed over the target, and a symbolic link on the
 * way is refused, so nothing is written through a link nself did not make.
 */
import {lstat, mkdir, readFile, rename, unlink, writeFile} from 'node:fs/promises'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {ValidationError} from '@nself/sdk/errors'
import {parseDocument, stringify, type Tags} from 'yaml'
import {createTwoFilesPatch} from 'diff'
import {type Metadata, type Source, type TableEntry, normalizeTableName} from './metadata.js'

/** Top-level metadata keys and the files the Hasura CLI keeps them in. */
const TOP_LEVEL_FILES: Record<string, string> = {
  remote_schemas: 'remote_schemas.yaml',
  query_collections: 'query_collections.yaml',
  allowlist: 'allow_list.yaml',
  cron_triggers: 'cron_triggers.yaml',
  rest_endpoints: 'rest_endpoints.yaml',
  inherited_roles: 'inherited_roles.yaml',
  api_limits: 'api_limits.yaml',
  network: 'network.yaml',
  graphql_schema_introspection: 'graphql_schema_introspection.yaml',
  backend_configs: 'backend_configs.yaml',
  opentelemetry: 'opentelemetry.yaml',
  metrics_config: 'metrics_config.yaml',
}

const INCLUDE = /^!include\s+(.+)$/
/** `!include x.yaml` written as a YAML tag instead of a quoted string reads the same. */
const includeTag: Tags[number] = {tag: '!include', resolve: (value: string) => `!include ${value}`}

export interface FilePlan {
  /** Relative to the metadata directory, with "/". */
  path: string
  before?: string
  /** Undefined: the file is removed. */
  after?: string
}

export interface Rendered {
  files: Map<string, string>
  /** Top-level keys that are not written (actions need the Hasura CLI's GraphQL split). */
  skipped: string[]
}

export function renderYaml(value: unknown): string {
  return stringify(value, {lineWidth: 0, indent: 2})
}

const tableFile = (t: TableEntry): string => {
  const n = normalizeTableName(t.table)
  return `${n.schema}_${n.name}.yaml`
}

const functionFile = (f: {function?: unknown}): string => {
  const n = normalizeTableName(f.function)
  return `${n.schema}_${n.name}.yaml`
}

/** The files of `metadata`; `full` adds the top-level keys besides sources (hasura:export). */
export function renderDirectory(metadata: Metadata, full: boolean): Rendered {
  const files = new Map<string, string>()
  const skipped: string[] = []
  files.set('version.yaml', renderYaml({version: metadata.version ?? 3}))
  const sources = (metadata.sources ?? []).map((source) => {
    const {tables, functions, ...rest} = source as Source & {functions?: Array<{function?: unknown}>}
    const base = `databases/${source.name}`
    const includes = tables.map(tableFile)
    files.set(`${base}/tables/tables.yaml`, renderYaml(includes.map((f) => `!include ${f}`)))
    tables.forEach((t, i) => files.set(`${base}/tables/${includes[i]}`, renderYaml(t)))
    const out: Record<string, unknown> = {...rest, tables: `!include ${source.name}/tables/tables.yaml`}
    if (functions && functions.length > 0) {
      files.set(`${base}/functions/functions.yaml`, renderYaml(functions.map((f) => `!include ${functionFile(f)}`)))
      for (const f of functions) files.set(`${base}/functions/${functionFile(f)}`, renderYaml(f))
      out.functions = `!include ${source.name}/functions/functions.yaml`
    }
    return out
  })
  files.set('databases/databases.yaml', renderYaml(sources))
  if (full) {
    for (const [key, value] of Object.entries(metadata)) {
      if (key === 'version' || key === 'sources') continue
      const file = TOP_LEVEL_FILES[key]
      if (file) files.set(file, renderYaml(value))
      else skipped.push(key)
    }
  }
  return {files, skipped}
}

/** Reads the directory into metadata; undefined when there is no databases/databases.yaml yet. */
export async function readDirectory(
  dir: string,
  full = false,
): Promise<{metadata: Metadata; files: Map<string, string>} | undefined> {
  const files = new Map<string, string>()
  const load = async (path: string, optional = false): Promise<unknown> => {
    const abs = inside(dir, path)
    let text: string
    try {
      text = await readFile(abs, 'utf8')
    } catch (error) {
      if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new ValidationError(`cannot read ${shown(dir, abs)}: ${(error as Error).message}`)
    }
    files.set(path, text)
    return parseYaml(text, shown(dir, abs))
  }
  const databases = await load('databases/databases.yaml', true)
  if (databases === undefined) return undefined
  const version = ((await load('version.yaml', true)) as {version?: number} | undefined)?.version ?? 3
  if (!Array.isArray(databases))
    throw new ValidationError(`${shown(dir, join(dir, 'databases/databases.yaml'))}: expected a list of sources`)
  const sources: Source[] = []
  for (const raw of databases as Array<Record<string, unknown>>) {
    const source = {...raw} as Source & Record<string, unknown>
    source.tables = (await expand(raw.tables, 'databases', load)) as TableEntry[]
    if (raw.functions !== undefined) source.functions = await expand(raw.functions, 'databases', load)
    sources.push(source)
  }
  const metadata: Metadata = {version, sources}
  if (full) {
    for (const [key, file] of Object.entries(TOP_LEVEL_FILES)) {
      const value = await load(file, true)
      if (value !== undefined) metadata[key] = value
    }
  }
  return {metadata, files}
}

/** Resolves `!include` strings (relative to the including file's folder) down to plain values. */
async function expand(value: unknown, folder: string, load: (path: string) => Promise<unknown>): Promise<unknown[]> {
  const include = typeof value === 'string' ? INCLUDE.exec(value) : null
  if (include) {
    const path = join(folder, include[1]).split(sep).join('/')
    return expand(await load(path), dirname(path), load)
  }
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new ValidationError(`metadata under ${folder}: expected a list or an !include`)
  const items: unknown[] = []
  for (const item of value) {
    const inc = typeof item === 'string' ? INCLUDE.exec(item) : null
    if (inc) {
      const path = join(folder, inc[1]).split(sep).join('/')
      items.push(await load(path))
    } else items.push(item)
  }
  return items
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, {customTags: [includeTag], uniqueKeys: true})
  const problem = doc.errors[0]
  if (problem) {
    const pos = problem.linePos?.[0]
    throw new ValidationError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${problem.message.split('\n')[0]}`, {
      hint: 'fix the YAML (or delete the file to have it written again)',
    })
  }
  return doc.toJS()
}

/** `path` resolved under `dir`; an include that leaves the directory is refused. */
function inside(dir: string, path: string): string {
  const abs = resolve(dir, path)
  if (abs !== resolve(dir) && !abs.startsWith(resolve(dir) + sep)) {
    throw new ValidationError(`metadata include "${path}" points outside ${dir}`, {
      hint: 'keep every included file inside the metadata directory',
    })
  }
  return abs
}

const shown = (_dir: string, abs: string): string => relative(process.cwd(), abs) || abs

/**
 * What writing `rendered` over the files read from the directory changes. Files that the old
 * metadata included and the new one does not (removed tables) are removed; nothing else is.
 */
export function planFiles(
  old: Map<string, string>,
  rendered: Map<string, string>,
  readOnDisk: Map<string, string>,
): FilePlan[] {
  const plan: FilePlan[] = []
  for (const [path, after] of rendered) {
    const before = readOnDisk.get(path) ?? old.get(path)
    if (before !== after) plan.push({path, before, after})
  }
  for (const [path, before] of old) {
    if (!rendered.has(path) && path.startsWith('databases/') && path !== 'databases/databases.yaml')
      plan.push({path, before})
  }
  return plan.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** A unified diff of the plan, paths shown under `label` (e.g. hasura/metadata). */
export function planDiff(plan: FilePlan[], label: string): string {
  return plan
    .map((p) =>
      createTwoFilesPatch(
        p.before === undefined ? '/dev/null' : `a/${label}/${p.path}`,
        p.after === undefined ? '/dev/null' : `b/${label}/${p.path}`,
        p.before ?? '',
        p.after ?? '',
        undefined,
        undefined,
        {context: 3},
      ),
    )
    .map((patch) => patch.replace(/^=+\n/, ''))
    .join('')
}

/** Reads the current text of the files `rendered` would write (so a plan compares with the disk). */
export async function readExisting(dir: string, paths: Iterable<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (const path of paths) {
    try {
      found.set(path, await readFile(join(dir, path), 'utf8'))
    } catch {
      // absent: written new
    }
  }
  return found
}

/** Applies the plan under `dir`, creating folders; refuses symbolic links on the way. */
export async function applyPlan(dir: string, plan: FilePlan[], root: string): Promise<void> {
  for (const p of plan) {
    const target = join(dir, p.path)
    await ensureDir(dirname(target), root)
    if (p.after === undefined) {
      await unlink(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error
      })
      continue
    }
    const temp = `${target}.${process.pid}.tmp`
    await writeFile(temp, p.after, {flag: 'wx'})
    await rename(temp, target)
  }
}

/** Creates `dir` and its parents below `root`, refusing any that is a symbolic link. */
async function ensureDir(dir: string, root: string): Promise<void> {
  const parts = relative(root, dir).split(sep).filter(Boolean)
  let current = root
  for (const part of parts) {
    current = join(current, part)
    const stat = await lstat(current).catch(() => undefined)
    if (stat?.isSymbolicLink())
      throw new ValidationError(
        `${relative(process.cwd(), current) || current} is a symbolic link; nself does not write through it`,
        {hint: 'replace the link with a real folder'},
      )
    if (!stat) await mkdir(current)
    else if (!stat.isDirectory()) throw new ValidationError(`${relative(process.cwd(), current)} is not a folder`)
  }
}

export interface DirectoryUpdate {
  plan: FilePlan[]
  skipped: string[]
}

/**
 * The plan for writing `next(current)` into `dir`: `current` is what the directory holds (undefined
 * when it has no metadata yet). `full` writes the top-level files too.
 */
export async function planDirectory(
  dir: string,
  next: (current: Metadata | undefined) => Metadata,
  full: boolean,
): Promise<DirectoryUpdate> {
  const current = await readDirectory(dir, full)
  const rendered = renderDirectory(next(current?.metadata), full)
  const old = current?.files ?? new Map<string, string>()
  const onDisk = await readExisting(
    dir,
    [...rendered.files.keys()].filter((p) => !old.has(p)),
  )
  return {plan: planFiles(old, rendered.files, onDisk), skipped: rendered.skipped}
}

/** Below which folder nself creates the metadata folders (and checks each for links): the project, or the parent of a directory outside it. */
export function writeRoot(dir: string, projectRoot: string): string {
  return dir.startsWith(projectRoot + sep) ? projectRoot : dirname(dir)
}
