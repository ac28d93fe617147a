/**
 * Values to COPY text format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2).
 * Rules: a string is PostgreSQL text input and passes through as written (so "{1,2}" fills an
 * int[] column and '{"a":1}' a jsonb column); other values are converted: null → NULL, booleans → t/f,
 * numbers and bigints → digits, Dates → ISO 8601, arrays → array literals (JSON for json columns),
 * objects → JSON, Buffers → bytea hex.
 */
import {RAW_JSON} from '@nself/sdk/hooks'
import type {ColumnInfo} from './catalog.js'

export type Encoder = (value: unknown) => string

export const NULL_FIELD = '\\N'
const TEXT_SPECIAL = /[\\\n\r\t]/
const CONTROL = /[\n\r\t]/

/** Escape a field for COPY text format: backslash, newline, carriage return and tab (the delimiter). */
export function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text // the common case, found by a native scan
  // Native replaces: backslashes first, so the escapes added after are not doubled.
  let out = text.includes('\\') ? text.replaceAll('\\', '\\\\') : text
  if (CONTROL.test(out)) out = out.replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t')
  return out
}

export function encoderFor(column: ColumnInfo): Encoder {
  if (column.kind === 'json') return encodeJsonField
  if (column.kind === 'array') return (value) => encodeArrayField(value, column.jsonElements)
  return encodeScalarField
}

function encodeJsonField(value: unknown): string {
  if (value === null || value === undefined) return NULL_FIELD
  if (typeof value === 'string') return escapeText(value)
  // The loader kept the value's JSON text (RAW_JSON): use it rather than stringify what it parsed.
  const raw = (value as {[RAW_JSON]?: unknown})[RAW_JSON]
  if (typeof raw === 'string') return escapeText(raw)
  // JSON.stringify writes newlines, tabs and carriage returns as escapes: only backslashes remain to double.
  const json = toJson(value)
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json
}

function encodeArrayField(value: unknown, jsonElements: boolean): string {
  if (Array.isArray(value)) return escapeText(arrayLiteral(value, jsonElements))
  return encodeScalarField(value)
}

function encodeScalarField(value: unknown): string {
  if (value === null || value === undefined) return NULL_FIELD
  if (typeof value === 'string') return escapeText(value)
  return escapeText(scalarText(value))
}

/** Text form of a non-null, non-string value. */
function scalarText(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
    case 'bigint':
      return value.toString()
    case 'boolean':
      return value ? 't' : 'f'
    case 'object':
      return objectText(value as object)
    default:
      throw new TypeError(`cannot write a ${typeof value} value`)
  }
}

function objectText(value: object): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('invalid Date')
    return value.toISOString()
  }
  if (value instanceof Uint8Array)
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`
  return toJson(value)
}

/** JSON text. JSON.stringify throws on bigints: they go in as markers, then become bare digits. */
function toJson(value: unknown): string {
  try {
    return JSON.stringify(value) // the fast path: no replacer
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error
  }
  let sawBigint = false
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v
    sawBigint = true
    return `\u0000bigint:${v}\u0000`
  })
  return sawBigint ? text.replace(/"\\u0000bigint:(-?\d+)\\u0000"/g, '$1') : text
}

/** PostgreSQL array literal: {1,2}, {"a b","c\"d",NULL}, {{1,2},{3,4}}. Elements are always quoted. */
export function arrayLiteral(values: unknown[], jsonElements = false): string {
  const parts = values.map((element) => {
    if (element === null || element === undefined) return 'NULL'
    if (Array.isArray(element) && !jsonElements) return arrayLiteral(element)
    const text = typeof element === 'string' ? element : jsonElements ? toJson(element) : scalarText(element)
    return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`
  })
  return `{${parts.join(',')}}`
}
