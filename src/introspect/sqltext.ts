/**
 * Reading PostgreSQL's deparsed text back into model values: column types, defaults, sequence
 * references. Pure functions.
 */
import type {ColumnType, DefaultValue} from '../schema/model.js'
import {canonicalTypeName, parseTypeText} from '../schema/types.js'
import {quoteIdent} from '@nself/sdk/sql'

/** The spelling DBML files use for PostgreSQL's canonical multi-word names (DBML types are one word). */
const SHORT: Record<string, string> = {
  'character varying': 'varchar',
  character: 'char',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
  'double precision': 'float8',
  'bit varying': 'varbit',
}

/** Splits `format_type` output into name, modifiers and array dimensions, in DBML's spelling. */
export function builtinType(formatted: string): ColumnType {
  const parsed = parseTypeText(formatted)
  const canonical = canonicalTypeName(parsed.name)
  const name = canonical ? (SHORT[canonical] ?? canonical) : parsed.name
  return {name, args: parsed.args, arrayDims: parsed.arrayDims}
}

export function arrayDims(formatted: string): number {
  return (/(\[\])+$/.exec(formatted)?.[0].length ?? 0) / 2
}

/** How PostgreSQL prints an identifier (quote_ident): bare when lower-case and plain. */
export function pgIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name)
}

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/
const NUMERIC_CAST = /^'(-?\d+(?:\.\d+)?)'::(smallint|integer|bigint|numeric|real|double precision)$/
const STRING_CAST =
  /^'((?:[^']|'')*)'::("[^"]+"|[A-Za-z_][\w$]*)(\."[^"]+"|\.[A-Za-z_][\w$]*)?( varying| precision| with(?:out)? time zone)?(\[\])*$/

/**
 * A default as pg_get_expr prints it, as the model value DBML would write: literals become
 * string/number/boolean defaults (whose SQL PostgreSQL stores as exactly this text again), anything
 * else an expression. NULL defaults are no default.
 */
export function readDefault(text: string | null): DefaultValue | undefined {
  if (text === null) return undefined
  const t = text.trim()
  if (t === 'NULL' || /^NULL::[\w ."[\]]+$/.test(t)) return undefined
  if (t === 'true' || t === 'false') return {kind: 'boolean', value: t === 'true'}
  const numeric = NUMBER.test(t) ? t : NUMERIC_CAST.exec(t)?.[1]
  // DBML reads numbers as JavaScript numbers: 1.50 would come back as 1.5, so such spellings stay expressions.
  if (numeric !== undefined)
    return String(Number(numeric)) === numeric ? {kind: 'number', value: numeric} : {kind: 'expression', sql: t}
  const string = STRING_CAST.exec(t)
  if (string) return {kind: 'string', value: string[1].replace(/''/g, "'")}
  return {kind: 'expression', sql: t}
}

/** The sequence a `nextval('…'::regclass)` default draws from, as regclass printed it. */
export function nextvalTarget(text: string | null): string | undefined {
  const m = /^nextval\('((?:[^']|'')+)'::regclass\)$/.exec(text?.trim() ?? '')
  return m ? m[1].replace(/''/g, "'") : undefined
}

/** The sequence name PostgreSQL gives a serial column, or undefined when it would be shortened. */
export function serialSequenceName(table: string, column: string): string | undefined {
  const name = `${table}_${column}_seq`
  return Buffer.byteLength(name, 'utf8') <= 63 ? name : undefined
}

export const SERIAL_OF: Record<string, string> = {smallint: 'smallserial', integer: 'serial', bigint: 'bigserial'}
