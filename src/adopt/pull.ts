/**
 * `db pull`: the live database → schema.dbml, a report of what DBML cannot say, and optionally
 * (--keep-extras) a migration that recreates it, and (--baseline) migration 000_baseline recorded
 * as applied. The database is only read, except for the history rows a baseline records.
 */
import {existsSync, lstatSync} from 'node:fs'
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import type {Client} from 'pg'
import {createPatch} from 'diff'
import {RefusedError, UsageError} from '@nself/sdk/errors'
import {type Extra, type Introspection, introspect} from '../introspect/index.js'
import {toDbml} from '../introspect/dbml.js'
import {preferPreviousSpelling} from '../introspect/spelling.js'
import {diffSchemas} from '../diff/index.js'
import {parseSchema} from '../schema/parse.js'
import type {SchemaModel} from '../schema/model.js'
import {extrasSql, hasRunnableExtras} from './extras.js'
import {recordBaseline, recordApplied, writeBaselineFiles} from './baseline.js'
import {readHistory, readMigrationsState, snapshotText} from './migrations.js'

export interface PullOptions {
  schemaFile: string
  /** How messages name the schema file. */
  shownSchema: string
  migrationsDir: string
  historyTable: string
  schemas?: string[]
  excludeTables?: string[]
  force?: boolean
  keepExtras?: boolean
  baseline?: boolean
}

export interface PullResult {
  /** False when the file already said exactly this. */
  written: boolean
  tables: number
  extras: Extra[]
  /** Files written besides schema.dbml. */
  files: string[]
  /** The baseline version recorded, when --baseline. */
  baseline?: string
}

export async function pull(client: Client, options: PullOptions): Promise<PullResult> {
  const state = await readMigrationsState(options.migrationsDir)
  if (options.baseline) await assertNoHistory(client, options, state.migrations.length)
  const live = await introspect(client, {
    schemas: options.schemas,
    excludeTables: options.excludeTables,
    ownTables: [qualifiedHistory(options.historyTable)],
  })
  // With a project history, keep its spelling where the database says the same thing.
  const model =
    state.latest && !options.baseline
      ? await preferPreviousSpelling(client, live.model, live.rawDefaults, state.latest.model)
      : live.model
  const text = await toDbml(model, {header: header(options), comments: live.dbmlComments})
  const written = await writeSchemaFile(options, text)
  const result: PullResult = {written, tables: live.tableCount, extras: live.extras, files: []}
  if (options.baseline) {
    const files = await writeBaselineFiles(
      options.migrationsDir,
      await snapshotModel(text),
      options.keepExtras ? live.extras : [],
      options.shownSchema,
    )
    await recordBaseline(client, options.historyTable, files)
    result.files.push(files.upFile, files.downFile, files.snapshotFile)
    result.baseline = files.version
  } else if (options.keepExtras && hasRunnableExtras(live.extras)) {
    result.files.push(...(await writeExtrasMigration(client, options, live, state)))
  }
  return result
}

function header(options: PullOptions): string[] {
  const lines = [
    `Written by \`nself db pull\` from the live database. Edit freely: \`nself db run\` turns edits into migrations.`,
  ]
  if (options.schemas?.length) lines.push(`Schemas: ${options.schemas.join(', ')}.`)
  if (options.excludeTables?.length) lines.push(`Tables left out: ${options.excludeTables.join(', ')}.`)
  return lines
}

function qualifiedHistory(table: string): string {
  return table.includes('.') ? table : `public.${table}`
}

/** The model the baseline snapshot records: exactly what parsing the written DBML gives. */
async function snapshotModel(text: string): Promise<SchemaModel> {
  const parsed = await parseSchema(text, 'schema.dbml')
  if (parsed.parseErrors.length > 0) throw new Error(`the pulled DBML does not parse: ${parsed.parseErrors[0].message}`)
  return JSON.parse(snapshotText(parsed.model)) as SchemaModel
}

/**
 * Writes schema.dbml unless it already says this. A file with other content is replaced only with
 * --force; without it the command refuses and shows what would change. The file is replaced by a
 * rename, so a symbolic link in its place is replaced, never followed.
 */
export async function writeSchemaFile(
  options: Pick<PullOptions, 'schemaFile' | 'shownSchema' | 'force'>,
  text: string,
): Promise<boolean> {
  const file = options.schemaFile
  const current = existsSync(file) && !lstatSync(file).isSymbolicLink() ? await readFile(file, 'utf8') : undefined
  if (current === text || (current !== undefined && (await sameSchema(current, text)))) return false
  if (existsSync(file) && !options.force) {
    const patch =
      current === undefined
        ? `${options.shownSchema} is a symbolic link`
        : createPatch(options.shownSchema, current, text, 'current', 'pulled').split('\n').slice(2).join('\n')
    throw new RefusedError(`${options.shownSchema} says something else; not overwritten:\n${patch.trimEnd()}`, {
      code: 'NSELF_PULL_WOULD_OVERWRITE',
      hint: 'Pass --force to replace it (commit it first if you want the old text back).',
    })
  }
  await mkdir(dirname(file), {recursive: true})
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`)
  await writeFile(temp, text, {flag: 'wx'})
  await rename(temp, file)
  return true
}

/** True when the file on disk already describes this schema (in its own words and layout). */
async function sameSchema(current: string, pulled: string): Promise<boolean> {
  const [a, b] = await Promise.all([parseSchema(current, 'current.dbml'), parseSchema(pulled, 'pulled.dbml')])
  return a.parseErrors.length === 0 && b.parseErrors.length === 0 && diffSchemas(a.model, b.model).length === 0
}

async function assertNoHistory(client: Client, options: PullOptions, migrationCount: number): Promise<void> {
  const applied = await readHistory(client, options.historyTable)
  if (applied.length > 0) {
    throw new UsageError(
      `the database already has ${applied.length} applied migration${applied.length === 1 ? '' : 's'} in ${options.historyTable}: it needs no baseline.`,
      {
        hint: 'Pull without --baseline to update schema.dbml.',
      },
    )
  }
  if (migrationCount > 0) {
    throw new UsageError(
      `${options.migrationsDir} already holds migrations: a baseline is the first migration of a project.`,
      {
        hint: 'Pull without --baseline, or start from an empty migrations folder.',
      },
    )
  }
}

/**
 * A hand-written migration with the extras, after the newest migration, recorded as applied (the
 * database already has them). Its snapshot repeats the newest one: the extras do not change the model.
 */
async function writeExtrasMigration(
  client: Client,
  options: PullOptions,
  live: Introspection,
  state: Awaited<ReturnType<typeof readMigrationsState>>,
): Promise<string[]> {
  if (!state.latest) {
    throw new UsageError('--keep-extras needs a migration that creates the tables first: this project has none.', {
      hint: 'Use `nself db pull --baseline --keep-extras` to record the database as it is, extras included.',
    })
  }
  const numbers = [...state.migrations.map((m) => Number(m.version)), ...state.snapshots.map(Number)]
  const version = String(Math.max(...numbers) + 1).padStart(3, '0')
  const name = `${version}_extras`
  const upFile = join(options.migrationsDir, `${name}.up.sql`)
  const snapshotFile = join(options.migrationsDir, 'meta', `${version}.json`)
  const body = [
    `-- nself migration ${name} (up), written by \`nself db pull --keep-extras\`: what schema.dbml cannot express.`,
    '-- It is recorded as applied on the database it was pulled from; a new database runs it after the tables.',
    '',
    extrasSql(live.extras, 'before'),
    extrasSql(live.extras, 'after'),
  ].join('\n')
  await writeFile(upFile, body, {flag: 'wx'})
  await writeFile(snapshotFile, snapshotText(state.latest.model), {flag: 'wx'})
  await recordApplied(client, options.historyTable, {version, name: 'extras', upFile})
  return [upFile, snapshotFile]
}
