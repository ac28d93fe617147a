/**
 * Baseline: the database as it is becomes migration 000_baseline. Its up file builds the schema
 * from nothing (so a new environment still works), its snapshot is what `db run` diffs against
 * next, and a history row marks it applied here, where nothing is run.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {Client} from 'pg'
import {diffSchemas, emptyModel} from '../diff/index.js'
import type {Extra} from '../introspect/index.js'
import type {SchemaModel} from '../schema/model.js'
import {extrasSql} from './extras.js'
import {checksumFile, defaultAppliedBy, ensureHistory, recordSql, renderMigration, snapshotText} from './migrations.js'

export const BASELINE_VERSION = '000'
export const BASELINE_NAME = 'baseline'

export interface BaselineFiles {
  version: string
  name: string
  upFile: string
  downFile: string
  snapshotFile: string
}

/** Writes 000_baseline.{up,down}.sql and meta/000.json; never over existing files. */
export async function writeBaselineFiles(
  dir: string,
  model: SchemaModel,
  extras: Extra[],
  source: string,
): Promise<BaselineFiles> {
  await mkdir(join(dir, 'meta'), {recursive: true})
  const id = `${BASELINE_VERSION}_${BASELINE_NAME}`
  const rendered = renderMigration(diffSchemas(emptyModel(), model), id, source)
  const intro = [
    `-- Baseline recorded by \`nself db pull --baseline\`: the database it was pulled from has all of this`,
    `-- already (its history row says so, nothing was run there); a new database runs it to start from the same place.`,
  ]
  const before = extrasSql(extras, 'before')
  const after = extrasSql(extras, 'after')
  const up = [
    ...intro,
    ...(before ? ['', '-- Before the tables: what schema.dbml cannot express.', before] : []),
    rendered.up,
    ...(after ? ['-- After the tables: what schema.dbml cannot express.', after] : []),
  ].join('\n')
  const files: BaselineFiles = {
    version: BASELINE_VERSION,
    name: BASELINE_NAME,
    upFile: join(dir, `${id}.up.sql`),
    downFile: join(dir, `${id}.down.sql`),
    snapshotFile: join(dir, 'meta', `${BASELINE_VERSION}.json`),
  }
  await writeFile(files.upFile, up, {flag: 'wx'})
  await writeFile(files.downFile, rendered.down, {flag: 'wx'})
  await writeFile(files.snapshotFile, snapshotText(model), {flag: 'wx'})
  return files
}

export async function recordBaseline(client: Client, historyTable: string, files: BaselineFiles): Promise<void> {
  await recordApplied(client, historyTable, {version: files.version, name: files.name, upFile: files.upFile})
}

/** A history row saying this migration is applied, with the checksum migrate:up will verify. */
export async function recordApplied(
  client: Client,
  historyTable: string,
  m: {version: string; name: string; upFile: string},
): Promise<void> {
  const table = await ensureHistory(client, historyTable)
  await client.query(
    recordSql(table, {
      version: m.version,
      name: m.name,
      checksum: checksumFile(m.upFile),
      executionMs: 0,
      appliedBy: defaultAppliedBy(),
      statementsDone: null,
    }),
  )
}
