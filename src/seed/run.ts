/**
 * A seed run: find the environment's files, order them, and load them all in ONE transaction, so a
 * bad row anywhere leaves every table as it was. Files applied before with the same checksum are
 * skipped; a changed file is applied again only with `fresh` (tables emptied first) or `reapply`.
 */
import {relative} from 'node:path'
import type {Client} from 'pg'
import type {SeedContent, SeedFile, SeedStatement} from '@nself/sdk/hooks'
import {ValidationError} from '@nself/sdk/errors'
import {quoteTable, readForeignKeys, readTables, type ForeignKey, type TableInfo} from './catalog.js'
import {advanceSequences, copyRows} from './copy.js'
import {isPgError, pgMessage, withTransaction} from '@nself/sdk/sql'
import {loaderError} from './errors.js'
import {discoverSeedFiles, filterByTables, qualifiedName, seedDir, type DiscoveredFile} from './files.js'
import {buildRegistry, loaderFor, type LoaderChoice, type LoaderRegistry, type PluginLoaders} from './loaders.js'
import {orderSeedFiles} from './order.js'
import {refuseOutsideTransaction, runSql, runStatements, sqlStatements} from './sql.js'
import {ensureSeedTable, fileChecksum, forgetTables, readSeedRecords, recordSeed, type SeedRecord} from './status.js'

export interface SeedOptions {
  seedsDir: string
  /** Files are named relative to this in messages. */
  projectRoot: string
  environment: string
  tables?: string[]
  /** Empty the seeded tables first (TRUNCATE … RESTART IDENTITY) and apply every file. */
  fresh?: boolean
  /** With fresh: TRUNCATE … CASCADE, emptying the tables that reference them too. */
  cascade?: boolean
  /** Apply changed files again (their rows are added; unchanged files are still skipped). */
  reapply?: boolean
  loaders: LoaderRegistry | PluginLoaders[]
  /** Asked before tables are emptied; throws to refuse (the CLI confirms in production). */
  confirm?: (action: string) => Promise<void>
  onEvent?: (event: SeedEvent) => void
}

export type SeedFileStatus = 'applied' | 'skipped' | 'changed'

export interface SeedFileResult {
  file: string
  table: string
  format: string
  plugin?: string
  status: SeedFileStatus
  rows: number
  ms: number
  /** For skipped and changed files: why. */
  reason?: string
}

export interface SeedResult {
  environment: string
  directory: string
  files: SeedFileResult[]
  /** Rows written by this run. */
  rows: number
  ms: number
  truncated: string[]
  notices: string[]
}

export type SeedEvent =
  | {type: 'plan'; files: {file: string; table: string; action: SeedFileStatus}[]}
  | {type: 'notice'; message: string}
  | {type: 'start'; file: string}
  | {type: 'file'; result: SeedFileResult}

/** A file with everything decided before anything is written. */
interface Planned extends DiscoveredFile {
  display: string
  checksum: string
  choice: LoaderChoice
  info?: TableInfo
  action: SeedFileStatus
  reason?: string
}

/** Seed the database, in one transaction of its own on the client it is given. */
export async function seed(client: Client, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now()
  const directory = seedDir(options.seedsDir, options.environment)
  const registry = Array.isArray(options.loaders) ? buildRegistry(options.loaders) : options.loaders
  const notices = [...registry.warnings]
  const notice = (message: string) => {
    notices.push(message)
    options.onEvent?.({type: 'notice', message})
  }
  const files = filterByTables(
    discoverSeedFiles(options.seedsDir, options.environment),
    options.tables,
    relative(options.projectRoot, directory),
  )
  const result: SeedResult = {
    environment: options.environment,
    directory,
    files: [],
    rows: 0,
    ms: 0,
    truncated: [],
    notices,
  }
  if (files.length === 0) {
    notice(`no seed files in ${relative(options.projectRoot, directory) || directory}`)
    return result
  }
  try {
    await withTransaction(client, () => applyAll(client, files, options, registry, result, notice))
  } catch (error) {
    throw commitError(error, result)
  }
  result.ms = Date.now() - started
  return result
}

async function applyAll(
  client: Client,
  files: DiscoveredFile[],
  options: SeedOptions,
  registry: LoaderRegistry,
  result: SeedResult,
  notice: (m: string) => void,
): Promise<void> {
  // One seed run at a time per database: a second one waits, then sees the first one's records.
  await client.query("SELECT pg_advisory_xact_lock(hashtext('nself seed'))")
  await ensureSeedTable(client)
  // Sequential: one connection runs one query at a time.
  const tables = await readTables(client, files.map(qualifiedName))
  const foreignKeys = await readForeignKeys(client)
  const records = await readSeedRecords(client, options.environment)
  const ordered = orderSeedFiles(files, foreignKeys, new Set(tables.keys()))
  for (const message of ordered.cycles) notice(message)
  // Deferrable keys inside a cycle can then only be checked at COMMIT.
  if (ordered.cycles.length > 0) await client.query('SET CONSTRAINTS ALL DEFERRED')
  const planned = await plan(ordered.files, tables, records, registry, options)
  options.onEvent?.({
    type: 'plan',
    files: planned.map((f) => ({file: f.fileName, table: qualifiedName(f), action: f.action})),
  })
  // Every file's content is loaded, and its SQL checked, before any of it runs.
  const contents = new Map<Planned, SeedContent>()
  for (const file of planned) if (file.action === 'applied') contents.set(file, await loadChecked(file))
  if (options.fresh) result.truncated = await emptyTables(client, planned, foreignKeys, options)
  for (const file of planned) {
    if (file.action === 'applied') options.onEvent?.({type: 'start', file: file.fileName})
    const fileResult =
      file.action === 'applied' ? await applyFile(client, file, contents.get(file)!, options) : skipped(file)
    result.files.push(fileResult)
    result.rows += fileResult.status === 'applied' ? fileResult.rows : 0
    options.onEvent?.({type: 'file', result: fileResult})
  }
}

async function plan(
  files: DiscoveredFile[],
  tables: Map<string, TableInfo>,
  records: SeedRecord[],
  registry: LoaderRegistry,
  options: SeedOptions,
): Promise<Planned[]> {
  const planned: Planned[] = []
  for (const file of files) {
    const display = relative(options.projectRoot, file.path)
    const choice = loaderFor(registry, file.format, display)
    const checksum = await fileChecksum(file.path)
    const record = records.find((r) => r.file === file.fileName)
    const base = {...file, display, checksum, choice, info: tables.get(qualifiedName(file))}
    if (options.fresh || !record) planned.push({...base, action: 'applied'})
    else if (record.checksum === checksum)
      planned.push({...base, action: 'skipped', reason: `unchanged since ${record.appliedAt.toISOString()}`})
    else if (options.reapply) planned.push({...base, action: 'applied', reason: 'changed: applied again (--reapply)'})
    else
      planned.push({
        ...base,
        action: 'changed',
        reason:
          'changed since it was applied: not applied again (use --reapply to add its rows again, or --fresh to empty the tables and reload)',
      })
  }
  return planned
}

function skipped(file: Planned): SeedFileResult {
  return {
    file: file.fileName,
    table: qualifiedName(file),
    format: file.format,
    plugin: file.choice.plugin,
    status: file.action,
    rows: 0,
    ms: 0,
    reason: file.reason,
  }
}

function seedFileOf(file: Planned): SeedFile {
  return {
    path: file.path,
    fileName: file.fileName,
    format: file.format,
    schema: file.schema,
    table: file.table,
    environment: file.environment,
  }
}

/** A file's content; SQL (one string or statements) is gathered and refused if it leaves the transaction. */
async function loadChecked(file: Planned): Promise<SeedContent> {
  const content = await load(file, seedFileOf(file))
  if (content?.kind === 'sql') refuseOutsideTransaction(file.display, sqlStatements(file.display, content.sql))
  if (content?.kind !== 'statements') return content
  const statements: SeedStatement[] = []
  try {
    for await (const statement of content.statements) statements.push(statement)
  } catch (error) {
    throw loaderError(file.display, error)
  }
  refuseOutsideTransaction(file.display, statements)
  return {kind: 'statements', statements}
}

async function applyFile(
  client: Client,
  file: Planned,
  content: SeedContent,
  options: SeedOptions,
): Promise<SeedFileResult> {
  const started = Date.now()
  const seedFile = seedFileOf(file)
  const rows = await writeContent(client, file, seedFile, content)
  const ms = Date.now() - started
  await recordSeed(client, {environment: options.environment, file: file.fileName, checksum: file.checksum, rows, ms})
  return {
    file: file.fileName,
    table: qualifiedName(file),
    format: file.format,
    plugin: file.choice.plugin,
    status: 'applied',
    rows,
    ms,
    reason: file.reason,
  }
}

async function load(file: Planned, seedFile: SeedFile): Promise<SeedContent> {
  try {
    return await file.choice.loader.load({...seedFile})
  } catch (error) {
    throw loaderError(file.display, error)
  }
}

async function writeContent(client: Client, file: Planned, seedFile: SeedFile, content: SeedContent): Promise<number> {
  switch (content?.kind) {
    case 'sql':
      return runSql(client, content.sql, file.display)
    case 'statements':
      return runStatements(client, content.statements, file.display)
    case 'rows': {
      if (!file.info)
        throw new ValidationError(`${file.display}: table ${qualifiedName(file)} does not exist`, {
          hint: 'Run the migrations first (nself db migrate:up), or rename the file after an existing table.',
        })
      const reread = async () => {
        const again = await file.choice.loader.load({...seedFile})
        return again.kind === 'rows' ? again.rows : []
      }
      const copied = await copyRows(client, {table: file.info, display: file.display, rows: content.rows, reread})
      await advanceSequences(client, file.info, copied.explicitDefaults)
      return copied.rows
    }
    default:
      throw new ValidationError(
        `${file.display}: plugin ${file.choice.plugin} returned no seed content (expected {kind: 'sql' | 'statements' | 'rows', …})`,
      )
  }
}

/**
 * TRUNCATE the tables of the files being seeded, after confirmation where the caller wants one.
 * PostgreSQL refuses to truncate a table that another one references, even an empty one: empty
 * referencing tables are simply truncated along (nothing is lost); a referencing table with rows is
 * emptied only with `cascade`, the user's explicit consent.
 */
async function emptyTables(
  client: Client,
  files: Planned[],
  foreignKeys: ForeignKey[],
  options: SeedOptions,
): Promise<string[]> {
  const tables = [...new Set(files.filter((f) => f.info).map(qualifiedName))]
  if (tables.length === 0) return []
  const referencing = referencingTables(tables, foreignKeys)
  const withRows = await tablesWithRows(client, referencing)
  if (withRows.length > 0 && !options.cascade) {
    throw new ValidationError(
      `cannot empty ${tables.join(', ')}: ${withRows.join(', ')} reference them and have rows`,
      {
        code: 'NSELF_SEED_TRUNCATE_REFERENCED',
        hint: `Add --cascade to empty ${withRows.join(', ')} too, or seed them in the same run (--tables).`,
      },
    )
  }
  const all = [...tables, ...referencing]
  await options.confirm?.(`empty ${all.join(', ')} before seeding`)
  await client.query(`TRUNCATE ${all.map((name) => quoteTable(splitName(name))).join(', ')} RESTART IDENTITY`)
  await forgetTables(client, all)
  return all
}

/** Tables outside `tables` that reference them, directly or through each other. */
function referencingTables(tables: string[], foreignKeys: ForeignKey[]): string[] {
  const found = new Set(tables)
  for (let grew = true; grew;) {
    grew = false
    for (const fk of foreignKeys) {
      if (found.has(fk.parent) && !found.has(fk.child)) {
        found.add(fk.child)
        grew = true
      }
    }
  }
  return [...found].filter((t) => !tables.includes(t))
}

async function tablesWithRows(client: Client, tables: string[]): Promise<string[]> {
  const out: string[] = []
  for (const name of tables) {
    const {rows} = await client.query<{any: boolean}>(
      `SELECT EXISTS (SELECT 1 FROM ${quoteTable(splitName(name))}) AS any`,
    )
    if (rows[0].any) out.push(name)
  }
  return out
}

function splitName(qualified: string): {schema: string; table: string} {
  const dot = qualified.indexOf('.')
  return {schema: qualified.slice(0, dot), table: qualified.slice(dot + 1)}
}

/** Errors raised at COMMIT (deferred constraints) name the table; map it back to its file. */
function commitError(error: unknown, result: SeedResult): unknown {
  if (!isPgError(error) || !error.table) return error
  const file = result.files.find((f) => f.table.endsWith(`.${error.table}`))
  return new ValidationError(`${file ? file.file : `table ${error.table}`}: at commit: ${pgMessage(error)}`, {
    cause: error,
    hint: 'Nothing was seeded: the whole run was rolled back.',
  })
}
