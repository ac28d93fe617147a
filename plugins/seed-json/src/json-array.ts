/**
 * A streaming reader for a JSON array of objects: `[{…}, {…}, …]`, yielded one object at a time with
 * memory bounded by the read chunk size, whatever the file size. A small byte scanner finds where each
 * element starts and ends (tracking strings and nesting only); the native JSON.parse decodes all the
 * complete elements of a chunk in one call, which is what makes it fast. When that parse fails, each
 * element is checked again to report the exact byte offset, line and row of the mistake.
 */
import {open} from 'node:fs/promises'
import {mayHoldInexactNumbers, parseExact} from './exact-numbers.js'
import {findJsonError} from './json-check.js'

/** Malformed input: `row` is the 1-based element, `byteOffset` 0-based from the start of the file. */
export class JsonSeedError extends Error {
  constructor(
    message: string,
    readonly row: number | undefined,
    readonly byteOffset: number,
    readonly textLine: number,
  ) {
    super(message)
    this.name = 'JsonSeedError'
  }
}

const enum State {
  BeforeArray,
  FirstElement,
  NextElement,
  InElement,
  AfterElement,
  End,
}

/** The core's key for a value's own JSON text (see SeedContent in @nself/sdk/hooks). */
const RAW_JSON = Symbol.for('nself.rawJson')

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  OPEN_BRACE = 0x7b,
  CLOSE_BRACE = 0x7d,
  OPEN_BRACKET = 0x5b,
  CLOSE_BRACKET = 0x5d,
  COMMA = 0x2c,
  NEWLINE = 0x0a

export interface ReadOptions {
  /** Bytes read at a time; memory use is a few times this. */
  chunkBytes?: number
}

/** The objects one by one. */
export async function* readJsonArray(path: string, options: ReadOptions = {}): AsyncGenerator<Record<string, unknown>> {
  for await (const batch of readJsonBatches(path, options)) yield* batch
}

/** The objects in batches (those complete in each chunk read): one iteration step per batch, not per row. */
export async function* readJsonBatches(
  path: string,
  options: ReadOptions = {},
): AsyncGenerator<Record<string, unknown>[]> {
  const scanner = new Scanner()
  const file = await open(path)
  try {
    // One read buffer for the whole file: no new memory per chunk for the garbage collector to chase.
    const chunk = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 16)
    for (;;) {
      const {bytesRead} = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      const rows = scanner.push(chunk.subarray(0, bytesRead))
      if (rows.length > 0) yield rows
    }
  } finally {
    await file.close()
  }
  scanner.end()
}

/** Incremental scanner: push() chunks, get the complete objects; end() checks the array was closed. */
export class Scanner {
  private state = State.BeforeArray
  /** Bytes not yet consumed, a view of `work` (which is reused, and grows only for huge elements). */
  private buffer: Buffer = Buffer.alloc(0)
  private work: Buffer = Buffer.alloc(0)
  /** File offset of buffer[0]. */
  private base = 0
  /** Where scanning resumes in buffer. */
  private pos = 0
  private line = 1
  private depth = 0
  private inString = false
  private escaped = false
  private elementStart = -1
  private elementLine = 1
  /** File offset where the current line starts, and the column (0-based, bytes) where the element starts. */
  private lineStart = 0
  private elementColumn = 0
  private row = 0
  /** Element boundaries found in the current buffer, waiting to be parsed. */
  private starts: number[] = []
  private ends: number[] = []
  private lines: number[] = []
  private columns: number[] = []
  /**
   * Where the nested objects/arrays of each element are (offsets from the element's start, in pairs),
   * so their text can go to json columns as written instead of being stringified again.
   */
  private nested: number[] = []
  private nestedCounts: number[] = []
  private current: number[] = []

  push(chunk: Buffer): Record<string, unknown>[] {
    // After compact() the buffer holds at most the start of an unfinished element; the chunk goes after it.
    const size = this.buffer.length + chunk.length
    if (size > this.work.length) {
      const grown = Buffer.allocUnsafe(Math.max(size, 2 * this.work.length, 1 << 16))
      this.buffer.copy(grown)
      this.work = grown
    }
    chunk.copy(this.work, this.buffer.length)
    this.buffer = this.work.subarray(0, size)
    this.scan()
    const rows = this.parseComplete()
    this.compact()
    return rows
  }

  end(): void {
    if (this.state === State.End) return
    const at = this.base + this.buffer.length
    if (this.state === State.BeforeArray)
      throw this.error('the file is empty: expected a JSON array ([ … ])', undefined, at)
    const inside =
      this.state === State.InElement ? ` inside row ${this.row + 1} (which starts on line ${this.elementLine})` : ''
    throw this.error(
      `unexpected end of file${inside}: the array is not closed with ]`,
      this.state === State.InElement ? this.row + 1 : undefined,
      at,
    )
  }

  private scan(): void {
    const buf = this.buffer
    const n = buf.length
    let i = this.pos
    while (i < n) {
      if (this.state === State.InElement) {
        i = this.scanElement(buf, i, n)
        continue
      }
      const c = buf[i]
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++
        continue
      }
      if (c === NEWLINE) {
        this.newline(i++)
        continue
      }
      // A UTF-8 byte order mark before the array is tolerated: editors on Windows write one.
      if (c === 0xef && this.state === State.BeforeArray && this.base + i === 0) {
        if (n < 3) break // wait for the next chunk to see all three bytes
        if (buf[1] === 0xbb && buf[2] === 0xbf) {
          i += 3
          continue
        }
      }
      this.topLevel(c, i)
      i++
    }
    this.pos = i
  }

  /** A structural byte outside any element. */
  private topLevel(c: number, i: number): void {
    switch (this.state) {
      case State.BeforeArray:
        if (c !== OPEN_BRACKET)
          throw this.error(`expected a JSON array ("[") but found ${show(c)}`, undefined, this.base + i)
        this.state = State.FirstElement
        return
      case State.FirstElement:
      case State.NextElement:
        if (c === CLOSE_BRACKET && this.state === State.FirstElement) {
          this.state = State.End
          return
        }
        if (c !== OPEN_BRACE)
          throw this.error(
            `expected an object ("{") for row ${this.row + 1} but found ${show(c)}`,
            this.row + 1,
            this.base + i,
          )
        this.state = State.InElement
        this.elementStart = i
        this.elementLine = this.line
        this.elementColumn = this.base + i - this.lineStart
        this.depth = 1 // this "{"
        return
      case State.AfterElement:
        if (c === COMMA) this.state = State.NextElement
        else if (c === CLOSE_BRACKET) this.state = State.End
        else throw this.error(`expected "," or "]" after row ${this.row} but found ${show(c)}`, this.row, this.base + i)
        return
      case State.End:
        throw this.error(`unexpected ${show(c)} after the end of the array`, undefined, this.base + i)
    }
  }

  /** Scan inside an element until it closes or the buffer ends; returns the next index. */
  private scanElement(buf: Buffer, i: number, n: number): number {
    let depth = this.depth
    for (; i < n; i++) {
      if (this.inString) {
        // Jump to the closing quote with a native search: string contents are most of the bytes.
        const end = closingQuote(buf, i, n, this.escaped)
        if (end < 0) {
          this.escaped = buf[n - 1] === BACKSLASH && !isEscapedAt(buf, n - 1, i, this.escaped)
          i = n
          break
        }
        this.inString = false
        this.escaped = false
        i = end
        continue
      }
      const c = buf[i]
      if (c === QUOTE) this.inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (depth++ === 1) this.current.push(i - this.elementStart)
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 1) this.current.push(i + 1 - this.elementStart)
        else if (depth === 0) {
          this.closeElement(i)
          this.depth = 0
          return i + 1
        }
      } else if (c === NEWLINE) this.newline(i)
    }
    this.depth = depth
    return i
  }

  private newline(i: number): void {
    this.line++
    this.lineStart = this.base + i + 1
  }

  private closeElement(i: number): void {
    this.row++
    this.starts.push(this.elementStart)
    this.ends.push(i + 1)
    this.lines.push(this.elementLine)
    this.columns.push(this.elementColumn)
    this.nestedCounts.push(this.current.length / 2)
    for (const offset of this.current) this.nested.push(offset)
    this.current.length = 0
    this.elementStart = -1
    this.state = State.AfterElement
  }

  /** JSON.parse every complete element of the buffer at once; on failure, find the bad one. */
  private parseComplete(): Record<string, unknown>[] {
    const count = this.starts.length
    if (count === 0) return []
    const first = this.starts[0]
    const last = this.ends[count - 1]
    let rows: Record<string, unknown>[]
    const text = this.buffer.toString('utf8', first, last)
    try {
      // The scanner has checked that every element starts with "{": each one parses to an object.
      rows = JSON.parse(`[${text}]`) as Record<string, unknown>[]
    } catch {
      throw this.locate()
    }
    if (mayHoldInexactNumbers(text)) this.keepExactNumbers(rows)
    this.attachRawJson(rows)
    this.starts = []
    this.ends = []
    this.lines = []
    this.columns = []
    this.nested = []
    this.nestedCounts = []
    return rows
  }

  /** Rows with numbers a double cannot hold are parsed again, keeping those numbers as written. */
  private keepExactNumbers(rows: Record<string, unknown>[]): void {
    for (let k = 0; k < rows.length; k++) {
      const text = this.buffer.toString('utf8', this.starts[k], this.ends[k])
      if (mayHoldInexactNumbers(text)) rows[k] = parseExact(text) ?? rows[k]
    }
  }

  /**
   * Give each nested object/array of a row its JSON text (under Symbol.for('nself.rawJson')), matched
   * in order of appearance. Rows where the order could differ (integer-like keys, which JavaScript
   * lists first) or the count does not match (duplicate keys) are left alone: the core then
   * stringifies, which is only slower.
   */
  private attachRawJson(rows: Record<string, unknown>[]): void {
    let p = 0
    const values: object[] = []
    for (let k = 0; k < rows.length; k++) {
      const count = this.nestedCounts[k]
      if (count === 0) continue
      const row = rows[k]
      values.length = 0
      let ordered = true
      for (const key in row) {
        const code = key.charCodeAt(0)
        if (code >= 48 && code <= 57 && /^\d+$/.test(key)) ordered = false
        const value = row[key]
        if (value !== null && typeof value === 'object') values.push(value)
      }
      if (ordered && values.length === count) {
        const start = this.starts[k]
        for (let j = 0; j < count; j++) {
          // Not enumerable: the rows look and compare exactly like JSON.parse's.
          Object.defineProperty(values[j], RAW_JSON, {
            value: this.buffer.toString('utf8', start + this.nested[p + 2 * j], start + this.nested[p + 2 * j + 1]),
          })
        }
      }
      p += 2 * count
    }
  }

  private locate(): JsonSeedError {
    const firstRow = this.row - this.starts.length + 1
    for (let k = 0; k < this.starts.length; k++) {
      const text = this.buffer.toString('utf8', this.starts[k], this.ends[k])
      const problem = findJsonError(text)
      if (!problem) continue
      const prefix = text.slice(0, problem.offset)
      const byte = this.base + this.starts[k] + Buffer.byteLength(prefix)
      const newlines = prefix.split('\n')
      const line = this.lines[k] + newlines.length - 1
      const column =
        newlines.length > 1 ? newlines[newlines.length - 1].length + 1 : this.columns[k] + prefix.length + 1
      return this.error(
        `malformed JSON at byte ${byte} (line ${line}, column ${column}): ${problem.message}`,
        firstRow + k,
        byte,
        line,
      )
    }
    return this.error('malformed JSON', firstRow, this.base + this.starts[0])
  }

  /** Drop the bytes already parsed; keep an unfinished element for the next chunk. */
  private compact(): void {
    const keepFrom = this.elementStart >= 0 ? this.elementStart : this.pos
    if (keepFrom === 0) return
    const size = this.buffer.length - keepFrom
    this.work.copyWithin(0, keepFrom, this.buffer.length)
    this.buffer = this.work.subarray(0, size)
    this.base += keepFrom
    this.pos -= keepFrom
    if (this.elementStart >= 0) this.elementStart = 0
  }

  private error(message: string, row: number | undefined, byteOffset: number, line = this.line): JsonSeedError {
    return new JsonSeedError(message, row, byteOffset, line)
  }
}

/**
 * Index of the quote that closes a string whose contents start at `from` (-1 if not in buf[from, n)).
 * `escaped`: the byte before `from` (in an earlier chunk) was an escaping backslash.
 */
function closingQuote(buf: Buffer, from: number, n: number, escaped: boolean): number {
  let at = escaped ? from + 1 : from
  for (;;) {
    const quote = buf.indexOf(QUOTE, at)
    if (quote < 0 || quote >= n) return -1
    if (!isEscapedAt(buf, quote, from, escaped)) return quote
    at = quote + 1
  }
}

/** Whether buf[at] is escaped: preceded by an odd number of backslashes (counting back to `from`). */
function isEscapedAt(buf: Buffer, at: number, from: number, escapedBeforeFrom: boolean): boolean {
  let backslashes = 0
  let k = at - 1
  while (k >= from && buf[k] === BACKSLASH) {
    backslashes++
    k--
  }
  // All the way back to `from`: an escape carried over from the previous chunk flips the parity.
  if (k < from && escapedBeforeFrom) backslashes++
  return backslashes % 2 === 1
}

function show(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `"${String.fromCharCode(byte)}"` : `byte 0x${byte.toString(16).padStart(2, '0')}`
}
