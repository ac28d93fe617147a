/**
 * Serial columns: a serial type is an integer type plus a sequence owned by the column and a
 * `nextval` default. PostgreSQL names the sequence <table>_<column>_seq (shortened to 63 bytes)
 * and does not rename it when the table or column is renamed, so the diff does, to keep a
 * migrated database identical to one built from nothing. Changing a column to or from a serial
 * type creates or drops that sequence ("serial" is not a type ALTER COLUMN … TYPE accepts).
 */
import type {ColumnModel, ColumnType, TableModel} from '../schema/model.js'
import {SERIAL_TYPES, canonicalTypeName} from '../schema/types.js'
import {quoteQualified as qualify, quoteIdent, quoteLiteral} from '@nself/sdk/sql'

const BASE: Record<string, string> = {smallserial: 'smallint', serial: 'integer', bigserial: 'bigint'}

/** The serial family name ("serial") of a type, or undefined. */
export function serialKind(type: ColumnType): string | undefined {
  if (type.arrayDims > 0 || type.schema) return undefined
  const name = type.name.toLowerCase()
  const alias: Record<string, string> = {serial2: 'smallserial', serial4: 'serial', serial8: 'bigserial'}
  const kind = alias[name] ?? name
  return SERIAL_TYPES.has(kind) ? kind : undefined
}

/** The integer type under a serial type (itself for any other type). */
export function baseType(type: ColumnType): ColumnType {
  const kind = serialKind(type)
  return kind ? {...type, name: BASE[kind], args: []} : type
}

export const isSerial = (column: ColumnModel): boolean => serialKind(column.type) !== undefined

/** PostgreSQL's makeObjectName: the longer part is shortened until "<a>_<b>_seq" fits 63 bytes. */
export function sequenceName(table: string, column: string): string {
  let a: Buffer = Buffer.from(table)
  let b: Buffer = Buffer.from(column)
  const overhead = '_'.length + '_seq'.length
  while (a.length + b.length + overhead > 63) {
    if (a.length > b.length) a = trimUtf8(a)
    else b = trimUtf8(b)
  }
  return `${a.toString()}_${b.toString()}_seq`
}

/** One byte shorter, never splitting a UTF-8 character. */
function trimUtf8(buf: Buffer): Buffer {
  let end = buf.length - 1
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--
  return buf.subarray(0, end)
}

export function renameSequence(schema: string, from: string, to: string): string {
  return `ALTER SEQUENCE ${qualify(schema, from)} RENAME TO ${quoteIdent(to)}`
}

/** Statements that turn an existing integer column into a serial one (type already the base type). */
export function addSerial(table: TableModel, column: string, kind: string): string[] {
  const seq = qualify(table.schema, sequenceName(table.name, column))
  const t = qualify(table.schema, table.name)
  const col = quoteIdent(column)
  return [
    `CREATE SEQUENCE ${seq} AS ${BASE[kind]} OWNED BY ${t}.${col}`,
    // Continue after the values already there.
    `SELECT setval(${quoteLiteral(seq)}, GREATEST(COALESCE(max(${col}), 0), 0) + 1, false) FROM ${t}`,
    `ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT nextval(${quoteLiteral(seq)}::regclass)`,
  ]
}

/** Statements that turn a serial column back into a plain integer one (default and sequence gone). */
export function dropSerial(table: TableModel, column: string): string[] {
  const t = qualify(table.schema, table.name)
  return [
    `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(column)} DROP DEFAULT`,
    `DROP SEQUENCE IF EXISTS ${qualify(table.schema, sequenceName(table.name, column))}`,
  ]
}

export const sameBase = (a: ColumnType, b: ColumnType): boolean =>
  canonicalTypeName(baseType(a).name) === canonicalTypeName(baseType(b).name)
