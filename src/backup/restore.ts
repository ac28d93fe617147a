/**
 * Restoring a backup. The whole file is verified first (format.ts: every byte, the file's and each
 * section's sha256); only then is anything changed, and all of it happens in one transaction: drop
 * the project's objects, recreate, load, check the row counts. Any failure rolls back, leaving the
 * database as it was.
 * - built-in backups: this connection runs the DDL and streams each table through COPY FROM STDIN,
 *   checking each table's row count (and, for compressed data, the sha256 of the unzipped stream)
 *   against the manifest before COMMIT;
 * - pg_dump backups: `pg_restore -f -` turns the archive into SQL that psql runs in one transaction
 *   (--single-transaction, ON_ERROR_STOP), between our drop block and a row-count check block.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import {dirname, join, resolve, sep} from 'node:path'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'
import type {Client} from 'pg'
import {RefusedError, ValidationError} from '@nself/sdk/errors'
import type {NselfConfig} from '../config/index.js'
import {resolveConnection} from '../db/connect.js'
import {qualified, setvalSql, type SchemaScript, type TableCopy} from './catalog.js'
import {copySql, exitOf} from './create.js'
import {DROP_PROJECT_OBJECTS_SQL} from './drop.js'
import {sectionStream, verifyBackup, type Manifest, type SectionInfo, type TableInfo} from './format.js'
import {findPgTools, toolEnv, type PgTools} from './pgtools.js'
import {begin, rollback, serverVersion} from './session.js'

export interface RestoreOptions {
  /** The manifest from a verifyBackup() of the same file just before (saves reading it twice). */
  verified?: Manifest
  /** undefined: find them; null: none (a pg_dump backup is then refused). */
  tools?: PgTools | null
  /** Write the backup's seed files back into the project's seeds folder. */
  restoreSeeds?: boolean
}

export interface RestoredTable {
  schema: string
  name: string
  expected: number
  rows: number
}

export interface RestoreResult {
  name: string
  method: Manifest['method']
  tables: RestoredTable[]
  sequences: number
  seedsRestored: string[]
  notCarried: string[]
}

export async function restoreBackup(config: NselfConfig, client: Client, path: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const manifest = options.verified ?? (await verifyBackup(path))
  if (manifest.method === 'pg_dump') {
    const tools = options.tools === undefined ? await findPgTools((await serverVersion(client)).versionNum) : (options.tools ?? undefined)
    if (!tools) {
      throw new RefusedError(`backup ${manifest.name} was made with pg_dump and needs pg_restore and psql (PostgreSQL ${manifest.server.version.split('.')[0]} or newer) to restore: none found`, {
        hint: 'Install the PostgreSQL client tools (or set NSELF_PG_BIN_DIR). Nothing was changed.',
      })
    }
    await restoreWithPgRestore(config, tools, path, manifest)
  }
  // The pg_dump path's count check ran inside psql's transaction: the counts are the manifest's.
  const tables = manifest.method === 'pg_dump' ? manifest.tables.map((t) => ({schema: t.schema, name: t.name, expected: t.rows, rows: t.rows})) : await restoreBuiltin(client, path, manifest)
  const seedsRestored = options.restoreSeeds && manifest.includesSeeds ? await restoreSeeds(config, path, manifest) : []
  return {name: manifest.name, method: manifest.method, tables, sequences: manifest.sequences.length, seedsRestored, notCarried: manifest.notCarried}
}

function section(manifest: Manifest, name: string): SectionInfo {
  const found = manifest.sections.find((s) => s.name === name)
  if (!found) throw new ValidationError(`backup ${manifest.name} has no section ${name}`, {hint: 'Nothing was changed.'})
  return found
}

async function readSection(path: string, info: SectionInfo): Promise<Buffer> {
  const chunks: Buffer[] = []
  const source = info.compressed ? sectionStream(path, info).pipe(createGunzip()) : sectionStream(path, info)
  for await (const chunk of source as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

// ---------------------------------------------------------------- built-in

async function restoreBuiltin(client: Client, path: string, manifest: Manifest): Promise<RestoredTable[]> {
  const script = JSON.parse((await readSection(path, section(manifest, 'schema.json'))).toString('utf8')) as SchemaScript
  await begin(client, 'ISOLATION LEVEL READ COMMITTED')
  try {
    await client.query(DROP_PROJECT_OBJECTS_SQL)
    for (const sql of script.pre) await client.query(sql)
    const restored: RestoredTable[] = []
    for (const table of script.tables) {
      const info = manifest.tables.find((t) => t.schema === table.schema && t.name === table.name)
      if (!info) throw new ValidationError(`backup ${manifest.name}: table ${table.schema}.${table.name} is not in the manifest`)
      restored.push(await loadTable(client, path, manifest, table, info))
    }
    for (const sql of script.post) await client.query(sql)
    for (const sequence of manifest.sequences) await client.query(setvalSql(sequence))
    await client.query('COMMIT')
    return restored
  } catch (error) {
    await rollback(client)
    throw error
  }
}

/**
 * One table's COPY. The table is new in this transaction, so the rows COPY reports are the table's
 * rows; a count or checksum that differs from the manifest aborts the whole restore.
 */
async function loadTable(client: Client, path: string, manifest: Manifest, table: TableCopy, info: TableInfo): Promise<RestoredTable> {
  const {from} = await import('pg-copy-streams')
  const stored = section(manifest, `data/${table.schema}.${table.name}`)
  const copy = client.query(from(copySql(table, 'FROM STDIN')))
  const hash = createHash('sha256')
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      callback(null, chunk)
    },
  })
  // Uncompressed, the stored bytes are the COPY stream and verifyBackup already hashed them.
  await pipeline(stored.compressed ? [sectionStream(path, stored), createGunzip(), tap, copy] : [sectionStream(path, stored), copy])
  const sha256 = stored.compressed ? hash.digest('hex') : stored.sha256
  const name = `${table.schema}.${table.name}`
  if (sha256 !== info.sha256) throw new ValidationError(`backup ${manifest.name}: the data of ${name} does not match its checksum; the restore was rolled back`)
  if (copy.rowCount !== info.rows) throw new ValidationError(`${name} has ${copy.rowCount} rows after the restore, the backup has ${info.rows}; the restore was rolled back`)
  return {schema: table.schema, name: table.name, expected: info.rows, rows: copy.rowCount}
}

// ---------------------------------------------------------------- pg_dump archives

async function restoreWithPgRestore(config: NselfConfig, tools: PgTools, path: string, manifest: Manifest): Promise<void> {
  const target = await resolveConnection(config)
  const env = toolEnv(target, target.database)
  const psql = spawn(tools.psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-f', '-'], {env, stdio: ['pipe', 'ignore', 'pipe']})
  const psqlDone = exitOf(psql, 'psql')
  psqlDone.catch(() => {}) // awaited below; a failure must not surface as an unhandled rejection meanwhile
  const restore = spawn(tools.pgRestore, ['--file=-'], {env, stdio: ['pipe', 'pipe', 'pipe']})
  const restoreDone = exitOf(restore, 'pg_restore')
  try {
    psql.stdin.write(`SET client_min_messages = warning;\n${DROP_PROJECT_OBJECTS_SQL};\n`)
    await Promise.all([pipeline(sectionStream(path, section(manifest, 'pg_dump')), restore.stdin), pipeline(restore.stdout, psql.stdin, {end: false}), restoreDone])
  } catch (error) {
    // psql must never see the end of its input now: at the end it would COMMIT a partial restore.
    psql.kill('SIGKILL')
    await psqlDone.catch(() => {})
    throw error
  }
  psql.stdin.end(countCheckSql(manifest))
  await psqlDone
}

/** A DO block that aborts psql's transaction when a table's row count differs from the manifest. */
function countCheckSql(manifest: Manifest): string {
  const checks = manifest.tables.map((t) => {
    const name = qualified(t.schema, t.name)
    const label = `${t.schema}.${t.name}`.replace(/'/g, "''")
    return `  SELECT count(*) INTO n FROM ${name};\n  IF n <> ${t.rows} THEN RAISE EXCEPTION 'nself: % has % rows after the restore, the backup has ${t.rows}', '${label}', n; END IF;`
  })
  return `\nDO $nself_check$\nDECLARE n bigint;\nBEGIN\n${checks.join('\n')}\nEND\n$nself_check$;\n`
}

// ---------------------------------------------------------------- seeds

async function restoreSeeds(config: NselfConfig, path: string, manifest: Manifest): Promise<string[]> {
  const entries = JSON.parse((await readSection(path, section(manifest, 'seeds.json'))).toString('utf8')) as {path: string; mode: number; data: string}[]
  const root = resolve(config.project.seedsDir)
  const written: string[] = []
  for (const entry of entries) {
    const target = resolve(root, entry.path)
    if (!target.startsWith(root + sep)) continue // a path that would leave the seeds folder
    await mkdir(dirname(target), {recursive: true})
    await writeFile(target, Buffer.from(entry.data, 'base64'), {mode: entry.mode || 0o644})
    written.push(join(config.project.seedsDir, entry.path))
  }
  return written
}
