/**
 * The nself backup file (one file, extension .nself-backup, mode 0600). Layout:
 *
 *   "NSELF-BACKUP 1\n"                      magic line
 *   section bytes, one after another         schema.json, one COPY text stream per table (built-in),
 *                                            or pg_dump's custom-format archive; seeds.json
 *   manifest JSON                            what is inside and where (offsets, lengths, sha256 of each
 *                                            section's stored bytes, table checksums)
 *   "\nNSELF-END <offset> <length> <sha256>\n"  where the manifest is, and the manifest's sha256
 *
 * Every byte is covered by a checksum: the magic line is compared, the sections lie end to end
 * between it and the manifest and each hashes to its sha256 in the manifest, and the manifest hashes
 * to the trailer's. So one hashing pass over the file verifies it. A file without the trailer is
 * incomplete (a crash or kill during backup, or truncation). Sections are gzip streams when
 * compressed. Writing appends in one pass; the manifest goes last because the checksums are known
 * only then.
 */
import {createHash, type Hash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import {Readable, Writable} from 'node:stream'
import {ValidationError} from '@nself/sdk/errors'

export const MAGIC = 'NSELF-BACKUP 1\n'
export const EXTENSION = '.nself-backup'
const TRAILER = /\nNSELF-END (\d+) (\d+) ([0-9a-f]{64})\n$/

export type BackupMethod = 'pg_dump' | 'builtin'

export interface SectionInfo {
  name: string
  offset: number
  length: number
  /** sha256 of the stored bytes (after compression). */
  sha256: string
  compressed: boolean
}

export interface TableInfo {
  schema: string
  name: string
  rows: number
  /** COPY format of the data: binary when every column has a built-in type (faster both ways), else text. */
  format: 'text' | 'binary'
  /** sha256 of the table's COPY output in that format (text: UTF8, DateStyle ISO, TimeZone UTC, bytea hex), in physical order. */
  sha256: string
}

export interface SequenceInfo {
  schema: string
  name: string
  value: string
  isCalled: boolean
}

export interface Manifest {
  format: 'nself-backup'
  formatVersion: 1
  name: string
  createdAt: string
  method: BackupMethod
  /** pg_dump's version line on the pg_dump path. */
  tool?: string
  server: {version: string; versionNum: number}
  database: string
  environment: string
  migration: {table: string; last: string | null}
  compressed: boolean
  includesSeeds: boolean
  schemas: string[]
  tables: TableInfo[]
  sequences: SequenceInfo[]
  /** Kinds of objects the database has that this backup does not carry (built-in path), e.g. "2 views: public.v1, public.v2". */
  notCarried: string[]
  sections: SectionInfo[]
  seeds: {path: string; bytes: number}[]
}

/** Appends sections to a new backup file and finishes it with the manifest and trailer. */
export class BackupWriter {
  private position = 0
  readonly sections: SectionInfo[] = []

  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<BackupWriter> {
    const writer = new BackupWriter(await open(path, 'wx', 0o600))
    await writer.append(Buffer.from(MAGIC))
    return writer
  }

  /** A Writable for one section's stored bytes; the section is recorded when it finishes. */
  section(name: string, compressed: boolean): Writable {
    const offset = this.position
    const hash = createHash('sha256')
    let pending: Buffer[] = []
    let size = 0
    const flush = async () => {
      if (size === 0) return
      const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, size)
      pending = []
      size = 0
      hash.update(data)
      await this.append(data)
    }
    return new Writable({
      // Small COPY chunks are gathered into ~1 MB writes: one syscall per row would be slow.
      write: (chunk: Buffer, _encoding, callback) => {
        pending.push(chunk)
        size += chunk.length
        if (size < 1 << 20) return callback()
        flush().then(() => callback(), callback)
      },
      final: (callback) => {
        flush().then(() => {
          this.sections.push({name, offset, length: this.position - offset, sha256: hash.digest('hex'), compressed})
          callback()
        }, callback)
      },
    })
  }

  async finish(manifest: Omit<Manifest, 'sections'>): Promise<Manifest> {
    const full: Manifest = {...manifest, sections: this.sections}
    const json = Buffer.from(JSON.stringify(full, null, 1))
    const offset = this.position
    await this.append(json)
    const trailer = `\nNSELF-END ${offset} ${json.length} ${createHash('sha256').update(json).digest('hex')}\n`
    await this.handle.write(trailer, this.position)
    await this.handle.sync()
    await this.handle.close()
    return full
  }

  async abandon(): Promise<void> {
    await this.handle.close().catch(() => {})
  }

  private async append(data: Buffer): Promise<void> {
    let written = 0
    while (written < data.length) {
      const {bytesWritten} = await this.handle.write(data, written, data.length - written, this.position + written)
      written += bytesWritten
    }
    this.position += data.length
  }
}

export interface ReadManifest {
  manifest: Manifest
  size: number
  /** Where the manifest starts: the sections end here. */
  manifestOffset: number
}

/** Reads the trailer and manifest only (cheap: for listing). Throws ValidationError naming what is wrong. */
export async function readManifest(path: string): Promise<ReadManifest> {
  const handle = await open(path, 'r')
  try {
    const {size} = await handle.stat()
    const head = Buffer.alloc(MAGIC.length)
    await handle.read(head, 0, head.length, 0)
    if (head.toString() !== MAGIC) throw invalid(path, 'it is not an nself backup file (no NSELF-BACKUP header)')
    const tailLength = Math.min(size, 160)
    const tail = Buffer.alloc(tailLength)
    await handle.read(tail, 0, tailLength, size - tailLength)
    const match = TRAILER.exec(tail.toString('latin1'))
    if (!match)
      throw invalid(
        path,
        'it is incomplete: the end marker is missing (the backup was interrupted, or the file was truncated)',
      )
    const [offset, length] = [Number(match[1]), Number(match[2])]
    const contentEnd = size - (tailLength - match.index)
    if (offset + length !== contentEnd)
      throw invalid(path, 'its end marker does not match its size (the file was altered or truncated)')
    const json = Buffer.alloc(length)
    await handle.read(json, 0, length, offset)
    if (createHash('sha256').update(json).digest('hex') !== match[3])
      throw invalid(path, 'its manifest does not match its checksum (the file was altered)')
    let manifest: Manifest
    try {
      manifest = JSON.parse(json.toString('utf8')) as Manifest
    } catch {
      throw invalid(path, 'its manifest is not valid JSON (the file was altered)')
    }
    if (manifest.format !== 'nself-backup' || manifest.formatVersion !== 1)
      throw invalid(path, `unknown backup format ${String(manifest.format)} ${String(manifest.formatVersion)}`)
    return {manifest, size, manifestOffset: offset}
  } finally {
    await handle.close()
  }
}

/**
 * Full verification before anything changes: every byte is read; the sections lie end to end from
 * the magic line to the manifest, and each hashes to its sha256 (the manifest's own checksum was
 * checked by readManifest).
 */
export async function verifyBackup(path: string): Promise<Manifest> {
  const read = await readManifest(path)
  const {manifest} = read
  const sections = [...manifest.sections].sort((a, b) => a.offset - b.offset)
  let expected = MAGIC.length
  for (const section of sections) {
    if (section.offset !== expected)
      throw invalid(path, `section ${section.name} is not where the manifest says (the file was altered)`)
    expected += section.length
  }
  if (expected !== read.manifestOffset)
    throw invalid(path, 'its sections do not end where the manifest starts (the file was altered)')
  const hashes = new Map<SectionInfo, Hash>(sections.map((s) => [s, createHash('sha256')]))
  let position = MAGIC.length
  const end = read.manifestOffset
  if (end > position) {
    for await (const chunk of createReadStream(path, {
      start: position,
      end: end - 1,
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>) {
      for (const section of sections) feedSection(section, hashes.get(section)!, chunk, position)
      position += chunk.length
    }
  }
  if (position !== end) throw invalid(path, `it could not be read to the end (${position} of ${end} bytes)`)
  for (const section of sections) {
    if (hashes.get(section)!.digest('hex') !== section.sha256)
      throw invalid(path, `section ${section.name} does not match its checksum: the file was altered or damaged`)
  }
  return manifest
}

function feedSection(section: SectionInfo, hash: Hash, chunk: Buffer, position: number): void {
  const start = Math.max(section.offset, position)
  const end = Math.min(section.offset + section.length, position + chunk.length)
  if (start < end) hash.update(chunk.subarray(start - position, end - position))
}

/** A stream of one section's stored bytes. */
export function sectionStream(path: string, section: SectionInfo): NodeJS.ReadableStream {
  if (section.length === 0) return Readable.from([])
  return createReadStream(path, {
    start: section.offset,
    end: section.offset + section.length - 1,
    highWaterMark: 1 << 20,
  })
}

function invalid(path: string, reason: string): ValidationError {
  const name = path.split('/').pop()
  return new ValidationError(`backup ${name} cannot be used: ${reason}`, {
    code: 'NSELF_BACKUP_INVALID',
    hint: 'Nothing was changed. Choose another backup (nself db backup:list).',
  })
}
