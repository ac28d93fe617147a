/**
 * Restoring a backup. The whole file is verified first (format.ts: every byte, every checksum);
 * only then is anything changed, and all of it happens in one transaction on this connection: drop
 * the project's objects, create the schema, COPY each table in (checking its row count, and for
 * compressed data the sha256 of the unzipped stream, against the manifest), add keys, indexes and
 * the rest, set the sequences. Any failure rolls back, leaving the database as it was.
 * A schema too big for one transaction's locks is restored in batches instead (batched.ts), under a
 * safety backup that is restored automatically if a batch fails or the run is killed part-way.
 * The schema comes from the catalog DDL nself wrote (built-in path) or from pg_dump's schema-only
 * archive, which pg_restore turns into SQL before the transaction starts (pg_dump path).
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {constants, lstatSync} from 'node:fs'
import {mkdir, open, rename, rm} from 'node:fs/promises'
import {basename, dirname, join, resolve, sep} from 'node:path'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'
import type {Client} from 'pg'
import {NselfError, OperationError, RefusedError, ValidationError} from '@nself/sdk/errors'
import type {NselfConfig} from '../config/index.js'
import {projectSchemas, setvalSql, type SchemaScript, type TableCopy} from './catalog.js'
import {backupBeforeChange, copySql, exitOf} from './create.js'
import {
  BatchFailed,
  batchedFailure,
  estimateLocks,
  lockBudget,
  readJournal,
  runBatches,
  safetyPath,
  writeJournal,
  type BatchListener,
} from './batched.js'
import {dropProjectObjectsSql} from './drop.js'
import {EXTENSION, sectionStream, verifyBackup, type Manifest, type SectionInfo, type TableInfo} from './format.js'
import {findPgTools, type PgTools} from './pgtools.js'
import {inSession, serverVersion} from './session.js'

export interface RestoreOptions {
  /** The manifest from a verifyBackup() of the same file just before (saves reading it twice). */
  verified?: Manifest
  /** undefined: find them; null: none (a pg_dump backup is then refused). */
  tools?: PgTools | null
  /** Write the backup's seed files back into the project's seeds folder. */
  restoreSeeds?: boolean
  /** Drop every project schema, also those the backup does not contain (default: keep them). */
  clean?: boolean
  /**
   * Restore in a series of transactions under a safety backup (batched.ts). undefined: when the
   * restore would need more locks than one transaction can get, or when one transaction ran out.
   */
  batched?: boolean
  /** A backup of the current state the caller took already: a batched restore uses it as its safety backup. */
  safetyBackup?: string
  /** Told the path of the safety backup a batched restore took. */
  onSafetyBackup?: (path: string) => void
  /** Told before each transaction of a batched restore. */
  onBatch?: BatchListener
  /** Internal: returning to a safety backup, the journal is already there and stays until the end. */
  recovering?: boolean
}

export interface SchemaTables {
  schema: string
  tables: number
}

/** What a restore will do to the database's schemas, for the user to see before confirming. */
export interface RestoreScope {
  /** Schemas the backup contains: their objects are dropped and restored. */
  replaces: SchemaTables[]
  /** Schemas the backup does not contain, kept (without --clean). */
  keeps: SchemaTables[]
  /** Schemas the backup does not contain, dropped (--clean). */
  drops: SchemaTables[]
  /** The database the backup was made from, when it is not this one. */
  otherSource?: string
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
  /** Set when the restore ran in batches: how many transactions, under which safety backup. */
  batches?: {safetyBackup: string}
}

export async function restoreBackup(
  config: NselfConfig,
  client: Client,
  path: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const manifest = options.verified ?? (await verifyBackup(path))
  const script = JSON.parse(
    (await readSection(path, section(manifest, 'schema.json'))).toString('utf8'),
  ) as SchemaScript
  if (manifest.method === 'pg_dump') {
    const tools =
      options.tools === undefined
        ? await findPgTools((await serverVersion(client)).versionNum)
        : (options.tools ?? undefined)
    if (!tools) {
      throw new RefusedError(
        `backup ${manifest.name} was made with pg_dump and needs pg_restore (PostgreSQL ${manifest.server.version.split('.')[0]} or newer) to restore: none found`,
        {
          hint: 'Install the PostgreSQL client tools (or set NSELF_PG_BIN_DIR). Nothing was changed.',
        },
      )
    }
    const [pre, post] = await Promise.all([
      archiveSql(tools, path, manifest, 'pre-data'),
      archiveSql(tools, path, manifest, 'post-data'),
    ])
    script.pre = [pre]
    script.post = [post]
  }
  // Seed files are checked before the database changes: a refusal then leaves everything as it was.
  const seeds = options.restoreSeeds && manifest.includesSeeds ? await planSeeds(config, path, manifest) : []
  const dropSchemas = options.clean ? undefined : manifest.schemas
  const lockTimeout = config.settings.migrationLockTimeoutSeconds
  let batched = options.batched
  if (batched === undefined) {
    const {slots} = await lockBudget(client)
    batched = (await estimateLocks(client, dropSchemas ?? (await projectSchemas(client)), manifest, script)) > slots / 2
  }
  let tables: RestoredTable[] | undefined
  if (!batched) {
    try {
      tables = await restoreInTransaction(
        client,
        path,
        manifest,
        script,
        dropProjectObjectsSql(dropSchemas),
        lockTimeout,
      )
    } catch (error) {
      // Out of lock slots: nothing happened (it rolled back), and batches fit where one transaction did not.
      if ((error as {code?: string}).code !== '53200') throw error
    }
  }
  let safety: string | undefined
  if (!tables) {
    safety = options.recovering
      ? path
      : (options.safetyBackup ?? (await backupBeforeChange(config, client, 'restore', options.tools)))
    if (!options.recovering) {
      if (!options.safetyBackup) options.onSafetyBackup?.(safety)
      await writeJournal(client, {backup: manifest.name, safety})
    }
    tables = await restoreInBatches(config, client, path, manifest, script, dropSchemas, safety, options)
  }
  const seedsRestored = await writeSeeds(seeds)
  return {
    name: manifest.name,
    method: manifest.method,
    tables,
    sequences: manifest.sequences.length,
    seedsRestored,
    notCarried: manifest.notCarried,
    ...(safety && !options.recovering ? {batches: {safetyBackup: safety}} : {}),
  }
}

/**
 * The batches; on a failure the safety backup is restored the same way (its own failure leaves the
 * journal, so the next command tries again), and the error says which of the two happened.
 */
async function restoreInBatches(
  config: NselfConfig,
  client: Client,
  path: string,
  manifest: Manifest,
  script: SchemaScript,
  dropSchemas: string[] | undefined,
  safety: string,
  options: RestoreOptions,
): Promise<RestoredTable[]> {
  const restored: RestoredTable[] = []
  const loadOne = async (index: number) => {
    const table = script.tables[index]
    const info = manifest.tables.find((t) => t.schema === table.schema && t.name === table.name)
    if (!info)
      throw new ValidationError(`backup ${manifest.name}: table ${table.schema}.${table.name} is not in the manifest`)
    restored.push(await loadTable(client, path, manifest, table, info))
  }
  try {
    await runBatches(client, {
      manifest,
      script,
      dropSchemas,
      lockTimeoutSeconds: config.settings.migrationLockTimeoutSeconds,
      loadTable: loadOne,
      onBatch: options.onBatch,
    })
    return restored
  } catch (error) {
    const step = error instanceof BatchFailed ? error.step : 'preparing the batches'
    const cause = error instanceof BatchFailed ? error.failure : error
    if (options.recovering) throw cause
    let recovery: unknown
    try {
      await restoreBackup(config, client, safety, {batched: true, clean: true, recovering: true, tools: options.tools})
    } catch (failure) {
      recovery = failure
    }
    throw batchedFailure(manifest, step, cause, safety, recovery)
  }
}

/**
 * After a batched restore was killed or crashed part-way (its journal is still in the database):
 * restores its safety backup, in batches too. Returns what happened, for the caller to print, or
 * undefined when no restore was interrupted. missingOk: a lost safety backup is reported instead of
 * refused (db restore can still put a backup of the user's choice in place).
 */
export async function recoverInterruptedRestore(
  config: NselfConfig,
  client: Client,
  notice: (message: string) => void,
  missingOk = false,
): Promise<{backup: string; safetyBackup: string} | undefined> {
  const journal = await readJournal(client)
  if (!journal) return undefined
  const safety = safetyPath(config, journal)
  const since = journal.startedAt.replace('T', ' ').slice(0, 19)
  if (!safety) {
    const message = `a restore of ${journal.backup} (started ${since} UTC) was interrupted part-way, and its safety backup ${basename(journal.safety)} is gone`
    if (missingOk) {
      notice(`${message}: the restore you asked for replaces the part-way state`)
      return undefined
    }
    throw new OperationError(`the database is part-way through a restore: ${message}`, {
      hint: 'Restore a backup of your choice: nself db restore --name NAME (nself db backup:list shows them).',
    })
  }
  notice(
    `A restore of ${journal.backup} (started ${since} UTC) was interrupted part-way; returning the database to its state before it from ${basename(safety, EXTENSION)} …`,
  )
  await restoreBackup(config, client, safety, {batched: true, clean: true, recovering: true})
  notice(`The database is back to its state before that restore.`)
  return {backup: journal.backup, safetyBackup: safety}
}

/** The database's project schemas as the restore will treat them (see RestoreOptions.clean). */
export async function restoreScope(
  client: Client,
  database: string,
  manifest: Manifest,
  clean = false,
): Promise<RestoreScope> {
  const schemas = await projectSchemas(client)
  const {rows} = await client.query<{schema: string; tables: number}>(
    `SELECT n.nspname AS schema, count(*)::int AS tables FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY ($1) GROUP BY 1`,
    [schemas],
  )
  const counted = (schema: string): SchemaTables => ({
    schema,
    tables: rows.find((r) => r.schema === schema)?.tables ?? 0,
  })
  const inBackup = new Set(manifest.schemas)
  const outside = schemas.filter((s) => !inBackup.has(s)).map(counted)
  return {
    replaces: schemas.filter((s) => inBackup.has(s)).map(counted),
    keeps: clean ? [] : outside,
    drops: clean ? outside : [],
    ...(manifest.database && manifest.database !== database ? {otherSource: manifest.database} : {}),
  }
}

function section(manifest: Manifest, name: string): SectionInfo {
  const found = manifest.sections.find((s) => s.name === name)
  if (!found)
    throw new ValidationError(`backup ${manifest.name} has no section ${name}`, {hint: 'Nothing was changed.'})
  return found
}

async function readSection(path: string, info: SectionInfo): Promise<Buffer> {
  const chunks: Buffer[] = []
  const source = info.compressed ? sectionStream(path, info).pipe(createGunzip()) : sectionStream(path, info)
  for await (const chunk of source as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

// ---------------------------------------------------------------- built-in

async function restoreInTransaction(
  client: Client,
  path: string,
  manifest: Manifest,
  script: SchemaScript,
  drop: string,
  lockTimeoutSeconds: number,
): Promise<RestoredTable[]> {
  try {
    return await inSession(client, 'ISOLATION LEVEL READ COMMITTED', async () => {
      // Dropping needs every table's exclusive lock: fail (and roll back) rather than wait forever
      // behind another session (DB_MIGRATION_LOCK_TIMEOUT, 0 = wait).
      await client.query(`SET LOCAL lock_timeout = '${lockTimeoutSeconds}s'`)
      await client.query(drop)
      await runBatched(client, script.pre)
      const restored: RestoredTable[] = []
      for (const table of script.tables) {
        const info = manifest.tables.find((t) => t.schema === table.schema && t.name === table.name)
        if (!info)
          throw new ValidationError(
            `backup ${manifest.name}: table ${table.schema}.${table.name} is not in the manifest`,
          )
        restored.push(await loadTable(client, path, manifest, table, info))
      }
      await runBatched(client, script.post)
      for (const view of script.refresh ?? []) await client.query(`REFRESH MATERIALIZED VIEW ${view}`)
      for (const sequence of manifest.sequences) await client.query(setvalSql(sequence))
      return restored
    })
  } catch (error) {
    if (error instanceof NselfError) throw error
    // Out of lock slots: the caller goes on in batches (this one rolled back).
    if ((error as {code?: string}).code === '53200') throw error
    throw new OperationError(
      `restoring ${manifest.name} failed, and everything was rolled back (the database is as it was): ${(error as Error).message}`,
      {cause: error},
    )
  }
}

/** DDL in batches of statements per round trip: a thousand tables mean thousands of statements. */
async function runBatched(client: Client, statements: string[]): Promise<void> {
  for (let i = 0; i < statements.length; i += 200) await client.query(statements.slice(i, i + 200).join(';\n'))
}

/**
 * One table's COPY. The table is new in this transaction, so the rows COPY reports are the table's
 * rows; a count or checksum that differs from the manifest aborts the whole restore.
 */
async function loadTable(
  client: Client,
  path: string,
  manifest: Manifest,
  table: TableCopy,
  info: TableInfo,
): Promise<RestoredTable> {
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
  await pipeline(
    stored.compressed ? [sectionStream(path, stored), createGunzip(), tap, copy] : [sectionStream(path, stored), copy],
  )
  const sha256 = stored.compressed ? hash.digest('hex') : stored.sha256
  const name = `${table.schema}.${table.name}`
  if (sha256 !== info.sha256)
    throw new ValidationError(
      `backup ${manifest.name}: the data of ${name} does not match its checksum; the restore was rolled back`,
    )
  if (copy.rowCount !== info.rows)
    throw new ValidationError(
      `${name} has ${copy.rowCount} rows after the restore, the backup has ${info.rows}; the restore was rolled back`,
    )
  return {schema: table.schema, name: table.name, expected: info.rows, rows: copy.rowCount}
}

// ---------------------------------------------------------------- pg_dump archives

/**
 * One section of pg_dump's schema archive as SQL, for this connection to run inside its own
 * transaction. pg_restore's script sets session settings; they are made LOCAL so they end with the
 * transaction, and psql-only lines (\\restrict, \\unrestrict) are dropped.
 */
async function archiveSql(
  tools: PgTools,
  path: string,
  manifest: Manifest,
  part: 'pre-data' | 'post-data',
): Promise<string> {
  const restore = spawn(tools.pgRestore, [`--section=${part}`, '--file=-'], {stdio: ['pipe', 'pipe', 'pipe']})
  const chunks: Buffer[] = []
  restore.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  await Promise.all([
    pipeline(sectionStream(path, section(manifest, 'pg_dump.schema')), restore.stdin),
    exitOf(restore, 'pg_restore'),
  ])
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter((line) => !/^\\(un)?restrict\b/.test(line))
    .map((line) =>
      line
        .replace(/^SET (?!LOCAL )/, 'SET LOCAL ')
        .replace(/^(SELECT pg_catalog\.set_config\('[^']+', '.*', )false\);$/, '$1true);'),
    )
    .join('\n')
}

// ---------------------------------------------------------------- seeds

interface SeedFile {
  target: string
  shown: string
  data: Buffer
  mode: 0o644 | 0o600
}

/**
 * The backup's seed files, checked: paths stay inside the seeds folder, modes are only 0644 or
 * 0600 (a backup is not trusted with setuid or executable bits), and no link already in the seeds
 * folder is on the way: nself never writes through one.
 */
async function planSeeds(config: NselfConfig, path: string, manifest: Manifest): Promise<SeedFile[]> {
  const entries = JSON.parse((await readSection(path, section(manifest, 'seeds.json'))).toString('utf8')) as {
    path: string
    mode: number
    data: string
  }[]
  const root = resolve(config.project.seedsDir)
  const files: SeedFile[] = []
  for (const entry of entries) {
    const target = resolve(root, entry.path)
    if (!target.startsWith(root + sep)) continue // a path that would leave the seeds folder
    const shown = join(config.project.seedsDir, entry.path)
    refuseLinks(root, target, shown)
    files.push({
      target,
      shown,
      data: Buffer.from(entry.data, 'base64'),
      mode: (Number(entry.mode) & 0o044) === 0 ? 0o600 : 0o644,
    })
  }
  return files
}

/** Every existing part of the path below the seeds folder must be a real folder, and the file a plain file. */
function refuseLinks(root: string, target: string, shown: string): void {
  const parts = target.slice(root.length + 1).split(sep)
  let current = root
  for (const [i, part] of parts.entries()) {
    current = join(current, part)
    let st
    try {
      st = lstatSync(current)
    } catch {
      return // nothing there yet: created by nself
    }
    const last = i === parts.length - 1
    const why = st.isSymbolicLink()
      ? 'is a symbolic link'
      : last
        ? st.isFile()
          ? undefined
          : 'is not a plain file'
        : st.isDirectory()
          ? undefined
          : 'is not a folder'
    if (why) {
      throw new RefusedError(
        `${last ? shown : current} ${why}: nself restores seed files only as plain files, never through a link`,
        {
          hint: 'Remove it (or move the file it points to into the seeds folder) and run the restore again. Nothing was changed.',
        },
      )
    }
  }
}

/** Each file written new and renamed into place, with its mode set exactly (the umask does not apply). */
async function writeSeeds(files: SeedFile[]): Promise<string[]> {
  for (const file of files) {
    await mkdir(dirname(file.target), {recursive: true})
    const temporary = `${file.target}.${process.pid}.tmp`
    await rm(temporary, {force: true})
    const handle = await open(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      file.mode,
    )
    try {
      await handle.writeFile(file.data)
      await handle.chmod(file.mode)
    } finally {
      await handle.close()
    }
    await rename(temporary, file.target)
  }
  return files.map((f) => f.shown)
}
