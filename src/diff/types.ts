/**
 * Type changes for the diff: when a change only widens (no data can be lost, PostgreSQL converts
 * implicitly) and when it needs an explicit USING cast. Whether two types are the same is the type
 * catalogue's answer (sameType in src/schema/types.ts): int, int4 and integer are the same type;
 * serial is not integer (it brings a sequence and a default).
 */
import type {ColumnType} from '../schema/model.js'
import {comparableTypeName} from '../schema/types.js'

const INT_RANK: Record<string, number> = {smallint: 1, integer: 2, bigint: 3}
const TEXTUAL = new Set(['character varying', 'text', 'character'])

function firstArg(type: ColumnType): number | undefined {
  return type.args.length > 0 ? Number(type.args[0]) : undefined
}

function widensText(from: ColumnType, toName: string, to: ColumnType): boolean {
  if (toName === 'text') return true
  if (toName !== 'character varying') return false
  const toLen = firstArg(to)
  if (toLen === undefined) return true
  const fromLen = firstArg(from)
  return fromLen !== undefined && fromLen <= toLen && comparableTypeName(from.name) !== 'text'
}

function widensNumeric(from: ColumnType, fromName: string, to: ColumnType): boolean {
  if (to.args.length === 0) return fromName === 'numeric' || fromName in INT_RANK
  if (fromName !== 'numeric' || from.args.length === 0) return false
  const [p1, s1 = 0] = from.args.map(Number)
  const [p2, s2 = 0] = to.args.map(Number)
  return s2 >= s1 && p2 - s2 >= p1 - s1
}

/**
 * True when every value of `from` fits `to` unchanged and PostgreSQL casts implicitly:
 * varchar(n) → varchar(m ≥ n) / text, smallint → integer → bigint, integer → numeric,
 * numeric(p,s) → wider numeric, real → double precision. Arrays widen only element-wise, same dims.
 */
export function isWidening(from: ColumnType, to: ColumnType): boolean {
  if (from.arrayDims !== to.arrayDims || from.schema || to.schema) return false
  const f = comparableTypeName(from.name)
  const t = comparableTypeName(to.name)
  if (TEXTUAL.has(f) && TEXTUAL.has(t)) return f !== 'character' || t !== 'character' ? widensText(from, t, to) : false
  if (f in INT_RANK && t in INT_RANK) return INT_RANK[f] <= INT_RANK[t]
  if (t === 'numeric') return widensNumeric(from, f, to)
  if (f === 'real' && t === 'double precision') return true
  if (f === 'timestamp without time zone' && t === 'timestamp with time zone') return false
  return false
}
