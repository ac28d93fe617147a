/**
 * Taking a backup. One REPEATABLE READ transaction gives a consistent snapshot: the built-in path
 * reads the catalogs and COPYs every table in it; the pg_dump path hands the same snapshot to
 * pg_dump (--snapshot --schema-only) for the schema, and COPYs the data the same way.
 * The file is written under a hidden temporary name, read back and verified, then renamed: a crash
 * or kill -9 at any moment leaves no file that counts as a backup.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {link, mkdir, open, readdir, readFile, rename, rm, stat, statfs} from 'node:fs/promises'
import {basename, join, relative} from 'node:path'
import {Readable, Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGzip} from 'node:zlib'
import type {Client} from 'pg'
import {OperationError, UsageError} from '@nself/sdk/errors'
import {quoteQualified} from '@nself/sdk/sql'
import type {NselfConfig} from '../config/index.js'
import {resolveConnection} from '../db/connect.js'
import {
  largeObjects,
  listTables,
  notCarried,
  populatedMaterializedViews,
  projectSchemas,
  schemaScript,
  sequenceValues,
  SKIPPED_SCHEMAS,
  type SchemaScript,
  type TableCopy,
} from './catalog.js'
import {BackupWriter, EXTENSION, verifyBackup, type Manifest, type TableInfo} from './format.js'
import {findPgTools, toolEnv, type PgTools} from './pgtools.js'
import {inSession, lastMigration, serverVersion} from './session.js'
import {pruneBackups, removeStalePartials} from './store.js'

/** gzip level for --compress: 3 keeps most of level 6's ratio on table data at about twice the speed. */
export const GZIP_LEVEL = 3

export interface BackupOptions {
  name?: string
  compress?: boolean
  includeSeeds?: boolean
  /** undefined: use pg_dump when a compatible one is found; null: always the built-in path. */
  tools?: PgTools | null
  /** Prune old backups afterwards (DB_BACKUP_RETENTION_DAYS); default true. */
  prune?: boolean
  now?: Date
}

export interface BackupResult {
  path: string
  size: number
  manifest: Manifest
  pruned: string[]
}

export function defaultBackupName(now: Date, prefix = 'backup'): string {
  const iso = now.toISOString() // 2025-08-06T14:30:00.000Z
  return `${prefix}-${iso.slice(0, 10)}-${iso.slice(11, 19).replace(/:/g, '-')}`
}

export async function createBackup(
  config: NselfConfig,
  client: Client,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const now = options.now ?? new Date()
  await mkdir(config.backupDir, {recursive: true, mode: 0o700})
  const name = chooseName(config.backupDir, options.name, now)
  const path = join(config.backupDir, name + EXTENSION)
  await removeStalePartials(config.backupDir)
  const temporary = join(config.backupDir, `.${name}.partial-${process.pid}`)
  const estimate = await databaseBytes(client)
  let writer: BackupWriter | undefined
  try {
    writer = await BackupWriter.create(temporary)
    const manifest = await writeBackup(config, client, writer, {...options, name, now})
    await verifyBackup(temporary) // read back every byte before it counts as a backup
    await publish(temporary, path)
    await syncDirectory(config.backupDir)
    const pruned = options.prune === false ? [] : (await pruneBackups(config, {now})).map((b) => b.name)
    return {path, size: (await stat(path)).size, manifest, pruned}
  } catch (error) {
    await writer?.abandon()
    await rm(temporary, {force: true})
    if (isDiskFull(error)) throw await diskFullError(config.backupDir, estimate, error)
    throw error
  }
}

function isDiskFull(error: unknown): boolean {
  return ['ENOSPC', 'EDQUOT'].includes((error as NodeJS.ErrnoException | undefined)?.code ?? '')
}

/** Size of the database as the server counts it: an upper bound of what an uncompressed backup takes. */
async function databaseBytes(client: Client): Promise<number> {
  const {rows} = await client.query<{bytes: string}>(
    'SELECT pg_catalog.pg_database_size(pg_catalog.current_database()) AS bytes',
  )
  return Number(rows[0].bytes)
}

/** "no space left on device in DIR: about N MB needed, M MB free", after the partial file is gone. */
async function diskFullError(dir: string, estimate: number, cause: unknown): Promise<OperationError> {
  const mb = (bytes: number) => bytes / (1024 * 1024)
  let free = NaN
  try {
    const fs = await statfs(dir)
    free = fs.bavail * fs.bsize
  } catch {
    // free space unknown: the message says so
  }
  const freeText = Number.isFinite(free) ? `${mb(free).toFixed(1)} MB free` : 'free space unknown'
  return new OperationError(
    `no space left on device in ${dir}: about ${Math.max(1, Math.ceil(mb(estimate)))} MB needed, ${freeText}`,
    {
      code: 'NSELF_DISK_FULL',
      hint: 'Free space there (nself db backup prune removes old backups), point DB_BACKUP_LOCATION at a larger disk, or use --compress. Nothing was left behind and older backups are untouched.',
      cause,
    },
  )
}

/**
 * The final name appears atomically and never replaces a backup: link() fails where rename()
 * would overwrite one taken under the same name a moment ago by another process.
 */
async function publish(temporary: string, path: string): Promise<void> {
  try {
    await link(temporary, path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST')
      throw new UsageError(`a backup named "${basename(path, EXTENSION)}" was written meanwhile by another process`, {
        hint: 'Run the backup again.',
      })
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code ?? '')) throw error
    return rename(temporary, path) // a filesystem without hard links
  }
  await rm(temporary, {force: true})
}

function chooseName(dir: string, requested: string | undefined, now: Date): string {
  if (requested !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(requested)) {
      throw new UsageError(
        `backup name "${requested}" is not valid: use letters, digits, ".", "_" and "-" (no slashes or spaces)`,
      )
    }
    if (existsSync(join(dir, requested + EXTENSION)))
      throw new UsageError(`a backup named "${requested}" exists already`, {hint: 'Choose another --name.'})
    return requested
  }
  const base = defaultBackupName(now)
  let name = base
  for (let i = 2; existsSync(join(dir, name + EXTENSION)); i++) name = `${base}-${i}` // two in the same second
  return name
}

type WriteOptions = BackupOptions & {name: string; now: Date}

async function writeBackup(
  config: NselfConfig,
  client: Client,
  writer: BackupWriter,
  options: WriteOptions,
): Promise<Manifest> {
  const compress = options.compress ?? config.settings.backupCompression
  const {server, schemas, tools, body, sequences, migration, seeds} = await inSession(
    client,
    'ISOLATION LEVEL REPEATABLE READ, READ ONLY',
    async () => {
      const server = await serverVersion(client)
      const schemas = await projectSchemas(client)
      const tools = options.tools === undefined ? await findPgTools(server.versionNum) : (options.tools ?? undefined)
      const body = tools
        ? await pgDumpBody(config, client, writer, tools, schemas, compress)
        : await builtinBody(client, writer, schemas, compress)
      const sequences = await sequenceValues(client, schemas)
      const migration = {
        table: config.settings.migrationTable,
        last: await lastMigration(client, config.settings.migrationTable),
      }
      const seeds = options.includeSeeds ? await writeSeeds(config, writer, compress) : []
      return {server, schemas, tools, body, sequences, migration, seeds}
    },
  )
  return writer.finish({
    format: 'nself-backup',
    formatVersion: 1,
    name: options.name,
    createdAt: options.now.toISOString(),
    method: tools ? 'pg_dump' : 'builtin',
    ...(tools ? {tool: tools.version} : {}),
    server,
    database: config.connection.database,
    environment: config.environment,
    migration,
    compressed: compress,
    includesSeeds: Boolean(options.includeSeeds),
    schemas,
    tables: body.tables,
    sequences,
    notCarried: body.notCarried,
    seeds,
  })
}

interface Body {
  tables: TableInfo[]
  notCarried: string[]
}

async function builtinBody(client: Client, writer: BackupWriter, schemas: string[], compress: boolean): Promise<Body> {
  const script = await schemaScript(client, schemas)
  await writeBuffer(writer, 'schema.json', Buffer.from(JSON.stringify(script)), compress)
  const tables: TableInfo[] = []
  for (const table of script.tables) {
    tables.push(await copyTable(client, writer, table, compress))
  }
  return {tables, notCarried: [...(await notCarried(client, schemas)), ...(await largeObjects(client))]}
}

/** `COPY table (columns) TO STDOUT` or `FROM STDIN`, in the table's format. */
export function copySql(table: TableCopy, direction: 'TO STDOUT' | 'FROM STDIN'): string {
  const columns = table.columns.length ? ` (${table.columns.join(', ')})` : ''
  return `COPY ${quoteQualified(table.schema, table.name)}${columns} ${direction}${table.binary ? ' (FORMAT binary)' : ''}`
}

/**
 * COPY one table out into a section. Uncompressed, the stored bytes are the COPY stream, so the
 * section's sha256 is the table's checksum: one hashing pass. Compressed, the stream is hashed
 * before gzip as well.
 */
async function copyTable(
  client: Client,
  writer: BackupWriter,
  table: TableCopy,
  compress: boolean,
): Promise<TableInfo> {
  const name = `data/${table.schema}.${table.name}`
  const sink = writer.section(name, compress)
  const {copy, hash, stages} = await copyOut(client, table, compress)
  try {
    await pipeline([copy, ...stages, ...gzipIf(compress), sink])
  } catch (error) {
    // The server is still in COPY OUT: any later query (the ROLLBACK) would wait behind it forever.
    // The snapshot transaction is read-only, so closing the connection loses nothing.
    void client.end().catch(() => {})
    throw error
  }
  const sha256 = hash ? hash.digest('hex') : writer.sections.find((s) => s.name === name)!.sha256
  return {schema: table.schema, name: table.name, rows: copy.rowCount, format: table.binary ? 'binary' : 'text', sha256}
}

async function copyOut(client: Client, table: TableCopy, hashContent: boolean) {
  const {to} = await import('pg-copy-streams')
  const copy = client.query(to(copySql(table, 'TO STDOUT')))
  if (!hashContent) return {copy, hash: undefined, stages: []}
  const hash = createHash('sha256')
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      callback(null, chunk)
    },
  })
  return {copy, hash, stages: [tap]}
}

function gzipIf(compress: boolean): Transform[] {
  return compress ? [createGzip({level: GZIP_LEVEL})] : []
}

/**
 * pg_dump path: pg_dump writes the schema (--schema-only, on the shared snapshot, so it keeps views,
 * functions, triggers, policies …) while this connection writes the data as on the built-in path.
 * The schema archive is small; it is kept in memory and written after the data (one writer, one
 * position).
 */
async function pgDumpBody(
  config: NselfConfig,
  client: Client,
  writer: BackupWriter,
  tools: PgTools,
  schemas: string[],
  compress: boolean,
): Promise<Body> {
  const {rows} = await client.query<{snapshot: string}>('SELECT pg_catalog.pg_export_snapshot() AS snapshot')
  const target = await resolveConnection(config)
  const args = [
    '--format=custom',
    '--schema-only',
    '--compress=0',
    `--snapshot=${rows[0].snapshot}`,
    ...SKIPPED_SCHEMAS.flatMap((s) => ['--exclude-schema', s]),
  ]
  const dump = spawn(tools.pgDump, args, {env: toolEnv(target, target.database), stdio: ['ignore', 'pipe', 'pipe']})
  const chunks: Buffer[] = []
  dump.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  const exited = exitOf(dump, 'pg_dump')
  try {
    const tables = await listTables(client, schemas, true) // partitions too: pg_dump recreates them
    const script: SchemaScript = {pre: [], post: [], tables, refresh: await populatedMaterializedViews(client, schemas)}
    const infos: TableInfo[] = []
    for (const table of tables) infos.push(await copyTable(client, writer, table, compress))
    await exited
    await writeBuffer(writer, 'schema.json', Buffer.from(JSON.stringify(script)), compress)
    await writeBuffer(writer, 'pg_dump.schema', Buffer.concat(chunks), false)
    return {tables: infos, notCarried: await largeObjects(client)}
  } catch (error) {
    // Killing pg_dump rejects `exited`: that is expected here, not a second error to report.
    exited.catch(() => {})
    dump.kill('SIGKILL')
    throw error
  }
}

async function writeBuffer(writer: BackupWriter, name: string, data: Buffer, compress: boolean): Promise<void> {
  await pipeline([Readable.from([data]), ...gzipIf(compress), writer.section(name, compress)])
}

/** Resolves when the child exits 0; otherwise an OperationError with the last lines it printed. */
export function exitOf(child: import('node:child_process').ChildProcess, label: string): Promise<void> {
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new OperationError(`${label} could not be started: ${error.message}`)))
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else
        reject(
          new OperationError(
            `${label} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`,
          ),
        )
    })
  })
}

async function writeSeeds(
  config: NselfConfig,
  writer: BackupWriter,
  compress: boolean,
): Promise<{path: string; bytes: number}[]> {
  const files = await listFiles(config.project.seedsDir)
  const entries = await Promise.all(
    files.map(async (file) => ({
      path: relative(config.project.seedsDir, file),
      mode: (await stat(file)).mode & 0o777,
      data: (await readFile(file)).toString('base64'),
    })),
  )
  await writeBuffer(writer, 'seeds.json', Buffer.from(JSON.stringify(entries)), compress)
  return entries.map((e) => ({path: e.path, bytes: Buffer.from(e.data, 'base64').length}))
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(full)))
    else if (entry.isFile()) out.push(full)
  }
  return out.sort()
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  await handle.sync().catch(() => {}) // not every filesystem supports it; the rename is done either way
  await handle.close()
}

/**
 * Takes a backup of the current state before a major change (migrate:up/down, restore, reset) and
 * returns its path, which the caller prints. Named pre-<reason>-<time>, so it is easy to find.
 * The caller decides when (requiresBackupBeforeChange); this always takes one.
 */
export async function backupBeforeChange(
  config: NselfConfig,
  client: Client,
  reason: string,
  tools?: PgTools | null,
): Promise<string> {
  const slug =
    reason
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'change'
  const base = defaultBackupName(new Date(), `pre-${slug}`)
  let name = base
  for (let i = 2; existsSync(join(config.backupDir, name + EXTENSION)); i++) name = `${base}-${i}` // two in the same second
  const result = await createBackup(config, client, {name, tools})
  return result.path
}
