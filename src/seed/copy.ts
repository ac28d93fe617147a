/**
 * Rows into a table with COPY … FROM STDIN (text format), streamed with backpressure so memory stays
 * flat whatever the row count. Rows may omit columns: an omitted column without a default is NULL, so
 * it is sent as NULL; an omitted column with a default must be left out of COPY's column list. Rows
 * that differ in which defaulted columns they give therefore go in separate COPY statements (one
 * per run of rows with the same set), each remembering its first row so errors map back to the file.
 */
import type {Client} from 'pg'
import type {Writable} from 'node:stream'
import type {SeedRow} from '@nself/sdk/hooks'
import {NselfError} from '@nself/sdk/errors'
import {quoteTable, type ColumnInfo, type TableInfo} from './catalog.js'
import {encoderFor, type Encoder} from './encode.js'
import {isPgError, pgMessage, quoteIdent, type PgError} from '@nself/sdk/sql'
import {loaderError, seedFileError, sourceLineOf} from './errors.js'

/** Rows, or batches of rows (arrays), as a loader yields them. */
export type RowSource = AsyncIterable<SeedRow | SeedRow[]> | Iterable<SeedRow | SeedRow[]>

export interface CopyJob {
  table: TableInfo
  /** The file as shown in messages. */
  display: string
  rows: RowSource
  /** Reads the file again from the start: used only to find the row behind a key violation. */
  reread: () => Promise<RowSource>
}

export interface CopyResult {
  rows: number
  /** Defaulted columns that some row gave explicitly (their sequences may need moving on). */
  explicitDefaults: string[]
}

const CHUNK_BYTES = 64 * 1024

/** pg-copy-streams' from(), whose module is imported only when a seed file is loaded. */
type CopyFrom = typeof import('pg-copy-streams').from

/**
 * Bytes that may wait in the COPY stream before write() asks us to pause. Large enough that
 * PostgreSQL always has data to ingest while the next rows are parsed and encoded (with the default
 * 16 KB the two took turns, and each sat idle half the time).
 */
const IN_FLIGHT_BYTES = 1 << 20

export async function copyRows(client: Client, job: CopyJob): Promise<CopyResult> {
  const {default: copyStreams} = await import('pg-copy-streams')
  const writer = new RowWriter(client, job, copyStreams.from)
  let row = 0
  try {
    for await (const item of job.rows) {
      for (const value of Array.isArray(item) ? item : [item]) {
        const pending = writer.write(value, ++row) // a promise only when the stream needs waiting for
        if (pending) await pending
      }
    }
    await writer.finish()
  } catch (error) {
    await writer.abort(error)
    throw await mapError(error, job)
  }
  return {rows: row, explicitDefaults: [...writer.explicitDefaults]}
}

/** One COPY statement: the column list and the file row its first line holds. */
interface Group {
  columns: ColumnInfo[]
  encoders: Encoder[]
  signature: string
  firstRow: number
  stream: Writable
  done: Promise<void>
  error?: Error
}

class RowWriter {
  readonly explicitDefaults = new Set<string>()
  private readonly columns: Map<string, ColumnInfo>
  private group?: Group
  private lastKeys: string[] = []
  private buffer = ''

  constructor(
    private client: Client,
    private job: CopyJob,
    private copyFrom: CopyFrom,
  ) {
    this.columns = new Map(job.table.columns.map((c) => [c.name, c]))
  }

  write(row: SeedRow, index: number): Promise<void> | undefined {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw seedFileError(
        this.job.display,
        `expected an object (column → value), got ${Array.isArray(row) ? 'an array' : row === null ? 'null' : typeof row}`,
        {row: index, line: sourceLineOf(row)},
      )
    }
    if (!this.group || !hasKeys(row, this.lastKeys)) return this.switchGroupAndWrite(row, Object.keys(row), index)
    this.buffer += this.encode(row, index)
    if (this.buffer.length >= CHUNK_BYTES) return this.flush()
    return undefined
  }

  /** The source line of the row being switched on (for errors about its keys). */
  private lineOf?: number

  private async switchGroupAndWrite(row: SeedRow, keys: string[], index: number): Promise<void> {
    this.lineOf = sourceLineOf(row)
    await this.useGroupFor(keys, index)
    this.lastKeys = keys
    this.buffer += this.encode(row, index)
    if (this.buffer.length >= CHUNK_BYTES) await this.flush()
  }

  async finish(): Promise<void> {
    await this.endGroup()
  }

  /** Stop a COPY in progress (CopyFail) so the connection can roll back. */
  async abort(reason: unknown): Promise<void> {
    const group = this.group
    this.group = undefined
    if (!group) return
    if (!group.error) group.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)))
    await group.done.catch(() => {})
  }

  private encode(row: SeedRow, index: number): string {
    const {columns, encoders} = this.group!
    let line = ''
    let i = 0
    try {
      for (; i < columns.length; i++) line += (i === 0 ? '' : '\t') + encoders[i](row[columns[i].name])
    } catch (error) {
      throw seedFileError(this.job.display, `${(error as Error).message} (column type ${columns[i].type})`, {
        row: index,
        line: sourceLineOf(row),
        column: columns[i].name,
      })
    }
    return line + '\n'
  }

  /** Check the row's keys and switch to a COPY whose column list fits them. */
  private async useGroupFor(keys: string[], index: number): Promise<void> {
    const given = new Set<string>()
    for (const key of keys) {
      const column = this.columns.get(key)
      if (!column)
        throw seedFileError(
          this.job.display,
          `table ${this.job.table.schema}.${this.job.table.table} has no column "${key}"`,
          {row: index, line: this.lineOf, column: key},
        )
      if (column.generated)
        throw seedFileError(this.job.display, `column "${key}" is generated by the database: leave it out`, {
          row: index,
          line: this.lineOf,
          column: key,
        })
      if (column.hasDefault) given.add(key)
    }
    const columns = this.job.table.columns.filter((c) => !c.generated && (!c.hasDefault || given.has(c.name)))
    if (columns.length === 0)
      throw seedFileError(
        this.job.display,
        'the row gives no column, and every column has a default: nothing to write',
        {row: index, line: this.lineOf},
      )
    const signature = columns.map((c) => c.name).join('\0')
    if (this.group?.signature === signature) return
    await this.endGroup()
    for (const name of given) this.explicitDefaults.add(name)
    this.group = this.startGroup(columns, signature, index)
  }

  private startGroup(columns: ColumnInfo[], signature: string, firstRow: number): Group {
    const sql = `COPY ${quoteTable(this.job.table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`
    const stream = this.client.query(inertAfterError(this.copyFrom(sql, {highWaterMark: IN_FLIGHT_BYTES})))
    const group: Group = {
      columns,
      encoders: columns.map(encoderFor),
      signature,
      firstRow,
      stream,
      done: Promise.resolve(),
    }
    group.done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve)
      stream.on('error', (error) => {
        group.error = error
        reject(error)
      })
    })
    group.done.catch(() => {}) // observed in flush/endGroup; never an unhandled rejection
    return group
  }

  private async flush(): Promise<void> {
    const group = this.group!
    if (group.error) throw new CopyFailed(group)
    const chunk = this.buffer
    this.buffer = ''
    if (!group.stream.write(chunk)) {
      await Promise.race([new Promise((resolve) => group.stream.once('drain', resolve)), group.done]).catch(() => {})
      if (group.error) throw new CopyFailed(group)
    }
  }

  private async endGroup(): Promise<void> {
    const group = this.group
    if (!group) return
    const chunk = this.buffer
    this.buffer = ''
    group.stream.end(chunk)
    try {
      await group.done
    } catch {
      throw new CopyFailed(group)
    }
    this.group = undefined
  }
}

/** The parts of pg-copy-streams' CopyStreamQuery that inertAfterError patches. */
interface CopyStreamInternals {
  connection?: unknown
  _gotCopyInResponse: boolean
  chunks: unknown[]
  flush(callback?: () => void): void
  _final(callback: (error?: Error | null) => void): void
  _destroy(error: Error | null, callback: (error?: Error | null) => void): void
}

/**
 * pg-copy-streams drops its connection when PostgreSQL rejects the COPY (an ErrorResponse), but
 * writes still queued in the stream, a socket 'drain' it waits for, end() and destroy() go on
 * using it: "Cannot read properties of null (reading 'stream')", thrown in our write or as an
 * uncaught exception that kills the process. Once the COPY is over, this stream drops data instead.
 */
function inertAfterError<S extends Writable>(stream: S): S {
  const copy = stream as unknown as CopyStreamInternals
  const over = () => copy._gotCopyInResponse && !copy.connection
  const flush = copy.flush.bind(copy)
  const final = copy._final.bind(copy)
  const destroy = copy._destroy.bind(copy)
  copy.flush = (callback) => {
    if (!over()) return flush(callback)
    copy.chunks = []
    callback?.()
  }
  copy._final = (callback) => (over() ? callback(new Error('the COPY was rejected')) : final(callback))
  copy._destroy = (error, callback) => (over() ? callback(error) : destroy(error, callback))
  return stream
}

/** PostgreSQL rejected a COPY: carries the group so the COPY line maps back to the file's row. */
class CopyFailed extends Error {
  constructor(readonly group: Group) {
    super(group.error!.message)
  }
}

/** Whether the row has exactly these keys in this order (no array allocated: this runs per row). */
function hasKeys(row: SeedRow, keys: string[]): boolean {
  let i = 0
  for (const key in row) if (key !== keys[i++]) return false
  return i === keys.length
}

async function mapError(error: unknown, job: CopyJob): Promise<Error> {
  if (error instanceof NselfError) return error
  if (!(error instanceof CopyFailed)) return loaderError(job.display, error)
  const pg = error.group.error as PgError
  if (!isPgError(pg)) return loaderError(job.display, pg)
  const at = /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(pg.where ?? '')
  if (at) {
    const row = error.group.firstRow + Number(at[1]) - 1
    return seedFileError(
      job.display,
      pgMessage(pg),
      {row, line: await lineOfRow(job, row).catch(() => undefined), column: at[2] ?? pg.column},
      pg,
    )
  }
  // Foreign key and unique checks run at the end of the COPY, without a line: find the row by its key.
  const row = await locateKey(pg, job).catch(() => undefined)
  return seedFileError(
    job.display,
    pgMessage(pg),
    row ? {row: row.row, line: row.line, column: row.column} : {column: pg.column},
    pg,
  )
}

/**
 * The source line the loader attached to row N (SOURCE_LINE). Rows are not kept while streaming:
 * the file is read again up to that row, only when there is an error to report.
 */
async function lineOfRow(job: CopyJob, wanted: number): Promise<number | undefined> {
  let index = 0
  for await (const item of await job.reread()) {
    for (const row of Array.isArray(item) ? item : [item]) if (++index === wanted) return sourceLineOf(row)
  }
  return undefined
}

/** The file row holding the key named in 'Key (author_id)=(…) is not present …' / '… already exists'. */
async function locateKey(pg: PgError, job: CopyJob): Promise<{row: number; line?: number; column: string} | undefined> {
  const match = /^Key \((.+?)\)=\((.*)\) (is not present|already exists)/.exec(pg.detail ?? '')
  if (!match) return undefined
  const columns = match[1].split(', ')
  const values = columns.length === 1 ? [match[2]] : match[2].split(', ')
  if (values.length !== columns.length) return undefined
  const wanted = values.map((v) => v.toLowerCase())
  // A duplicate inside the file fails on its second occurrence; a clash with existing data on its first.
  const occurrences: Array<{row: number; line?: number}> = []
  let index = 0
  search: for await (const item of await job.reread()) {
    for (const row of Array.isArray(item) ? item : [item]) {
      index++
      if (columns.every((c, i) => keyText(row[c]) === wanted[i]))
        occurrences.push({row: index, line: sourceLineOf(row)})
      if (occurrences.length === 2) break search
    }
  }
  if (occurrences.length === 0) return undefined
  const found = match[3] === 'already exists' && occurrences.length === 2 ? occurrences[1] : occurrences[0]
  return {...found, column: columns.join(', ')}
}

/** A row's value as it can appear in a key message, lower-cased; an object (a json value) never matches. */
function keyText(value: unknown): string | undefined {
  if (value === null || value === undefined) return ''
  const scalar =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean'
  return scalar ? String(value).toLowerCase() : undefined
}

/** Explicit ids must not collide with later default ones: move serial/identity sequences past them. */
export async function advanceSequences(client: Client, table: TableInfo, columns: string[]): Promise<void> {
  for (const column of columns) {
    const {rows} = await client.query<{s: string | null}>('SELECT pg_get_serial_sequence($1, $2) AS s', [
      quoteTable(table),
      column,
    ])
    if (!rows[0]?.s) continue
    await client.query(
      `SELECT setval($1::regclass, m) FROM (SELECT max(${quoteIdent(column)}) AS m FROM ${quoteTable(table)}) x
        WHERE m IS NOT NULL AND m > coalesce(pg_sequence_last_value($1::regclass), 0)`,
      [rows[0].s],
    )
  }
}
