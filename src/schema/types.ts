/**
 * PostgreSQL type catalogue: built-in type names and their aliases, mapped to the canonical name
 * PostgreSQL itself prints (format_type), so that `int`, `int4` and `integer` compare equal in the
 * diff and in validation. Extension types are known too, but need `CREATE EXTENSION` first.
 */
import type {ColumnType} from './model.js'

/** Canonical name → aliases (lower case, single spaces). The canonical name is an alias of itself. */
const BUILTIN: Record<string, string[]> = {
  smallint: ['int2'],
  integer: ['int', 'int4'],
  bigint: ['int8'],
  smallserial: ['serial2'],
  serial: ['serial4'],
  bigserial: ['serial8'],
  numeric: ['decimal'],
  real: ['float4'],
  'double precision': ['float8', 'float', 'double'],
  money: [],
  'character varying': ['varchar'],
  character: ['char', 'bpchar'],
  text: [],
  name: [],
  boolean: ['bool'],
  'timestamp without time zone': ['timestamp'],
  'timestamp with time zone': ['timestamptz'],
  date: [],
  'time without time zone': ['time'],
  'time with time zone': ['timetz'],
  interval: [],
  uuid: [],
  json: [],
  jsonb: [],
  jsonpath: [],
  xml: [],
  bytea: [],
  inet: [],
  cidr: [],
  macaddr: [],
  macaddr8: [],
  bit: [],
  'bit varying': ['varbit'],
  tsvector: [],
  tsquery: [],
  point: [],
  line: [],
  lseg: [],
  box: [],
  path: [],
  polygon: [],
  circle: [],
  int4range: [],
  int8range: [],
  numrange: [],
  tsrange: [],
  tstzrange: [],
  daterange: [],
  int4multirange: [],
  int8multirange: [],
  nummultirange: [],
  tsmultirange: [],
  tstzmultirange: [],
  datemultirange: [],
  oid: [],
  regclass: [],
  pg_lsn: [],
  pg_snapshot: [],
  txid_snapshot: [],
}

/** Types that exist only once an extension is installed: type → extension. */
export const EXTENSION_TYPES: Record<string, string> = {
  citext: 'citext',
  hstore: 'hstore',
  ltree: 'ltree',
  lquery: 'ltree',
  cube: 'cube',
  geometry: 'postgis',
  geography: 'postgis',
  vector: 'vector',
  halfvec: 'vector',
}

/** Families whose members PostgreSQL can compare across (a foreign key may mix them). */
const FAMILIES: Record<string, string> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  smallserial: 'integer',
  serial: 'integer',
  bigserial: 'integer',
  'character varying': 'text',
  character: 'text',
  text: 'text',
  name: 'text',
  citext: 'text',
  real: 'float',
  'double precision': 'float',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamp',
}

const ALIASES = new Map<string, string>()
for (const [canonical, aliases] of Object.entries(BUILTIN)) {
  ALIASES.set(canonical, canonical)
  for (const alias of aliases) ALIASES.set(alias, canonical)
}
for (const ext of Object.keys(EXTENSION_TYPES)) ALIASES.set(ext, ext)

export const SERIAL_TYPES = new Set(['smallserial', 'serial', 'bigserial'])
export const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint', ...SERIAL_TYPES])
export const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'numeric', 'real', 'double precision', 'money'])
export const STRING_TYPES = new Set(['character varying', 'character', 'text', 'name', 'citext'])
export const TEMPORAL_TYPES = new Set([
  'timestamp without time zone',
  'timestamp with time zone',
  'date',
  'time without time zone',
  'time with time zone',
  'interval',
])

/**
 * Type modifiers each built-in accepts: [min count, max count, min value, max value]. Types not
 * listed take none (PostgreSQL rejects `integer(11)`, a MySQL habit).
 */
const MODIFIERS: Record<string, [number, number, number, number]> = {
  'character varying': [1, 1, 1, 10485760],
  character: [1, 1, 1, 10485760],
  bit: [1, 1, 1, 83886080],
  'bit varying': [1, 1, 1, 83886080],
  numeric: [1, 2, 0, 1000],
  'timestamp without time zone': [1, 1, 0, 6],
  'timestamp with time zone': [1, 1, 0, 6],
  'time without time zone': [1, 1, 0, 6],
  'time with time zone': [1, 1, 0, 6],
  interval: [1, 1, 0, 6],
  vector: [1, 1, 1, 16000],
  halfvec: [1, 1, 1, 16000],
  geometry: [1, 2, -Infinity, Infinity],
  geography: [1, 2, -Infinity, Infinity],
}

/** Why these type arguments are wrong for this type, or undefined when they are fine (or unknown type). */
export function typeArgsProblem(name: string, args: string[]): string | undefined {
  const canonical = canonicalTypeName(name)
  if (!canonical || args.length === 0) return undefined
  const rule = MODIFIERS[canonical]
  if (!rule) return `type ${canonical} takes no arguments`
  const [minCount, maxCount, min, max] = rule
  if (args.length < minCount || args.length > maxCount)
    return `type ${canonical} takes ${minCount === maxCount ? minCount : `${minCount} or ${maxCount}`} argument${maxCount > 1 ? 's' : ''}, not ${args.length}`
  if (canonical.startsWith('geo')) return undefined
  const bad = args.find((a, i) => !/^-?\d+$/.test(a) || Number(a) < (i === 0 ? min : -1000) || Number(a) > max)
  if (bad !== undefined) return `'${bad}' is not a valid argument for ${canonical} (${min}–${max})`
  return undefined
}

/** Lower case, single spaces: how names are compared. */
export function normalizeTypeName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ')
}

/** PostgreSQL's canonical name for a built-in or extension type, or undefined when it is neither. */
export function canonicalTypeName(name: string): string | undefined {
  return ALIASES.get(normalizeTypeName(name))
}

/** Extension that provides this type, when it is an extension type. */
export function extensionOf(name: string): string | undefined {
  return EXTENSION_TYPES[canonicalTypeName(name) ?? '']
}

/** Family for foreign-key compatibility: the canonical name itself for types without a family. */
export function typeFamily(name: string): string {
  const canonical = canonicalTypeName(name) ?? normalizeTypeName(name)
  return FAMILIES[canonical] ?? canonical
}

/**
 * Full canonical spelling of a column type, e.g. `varchar(255)[]` → `character varying(255)[]`.
 * Unknown names (enums) are kept as written, schema-qualified when the model says so.
 */
export function formatType(type: ColumnType): string {
  const base = canonicalTypeName(type.name) ?? (type.schema ? `${type.schema}.${type.name}` : type.name)
  const args = type.args.length > 0 ? `(${type.args.join(',')})` : ''
  return base + args + '[]'.repeat(type.arrayDims)
}

/** PostgreSQL's canonical name for a built-in or extension type; user types (enums) keep their name, in lower case. */
export function comparableTypeName(name: string): string {
  return canonicalTypeName(name) ?? normalizeTypeName(name)
}

/** A comparable key: canonical name, schema of user types, modifiers, array dimensions. */
export function typeKey(type: ColumnType): string {
  const schema = type.schema ? `${type.schema}.` : ''
  const args = type.args.length > 0 ? `(${type.args.map((a) => a.trim()).join(',')})` : ''
  return `${schema}${comparableTypeName(type.name)}${args}${'[]'.repeat(type.arrayDims)}`
}

/** True when two column types are the same to PostgreSQL (aliases, argument spacing and case ignored). */
export function sameType(a: ColumnType, b: ColumnType): boolean {
  return typeKey(a) === typeKey(b)
}

/**
 * Splits a DBML type as written (`varchar(255)`, `text[]`, `timestamp(3) with time zone`, `numeric(10, 2)[][]`)
 * into name, arguments and array dimensions.
 */
export function parseTypeText(text: string): {name: string; args: string[]; arrayDims: number; written: string} {
  let rest = text.trim()
  let arrayDims = 0
  for (let m = /\[\s*\d*\s*\]\s*$/.exec(rest); m; m = /\[\s*\d*\s*\]\s*$/.exec(rest)) {
    arrayDims++
    rest = rest.slice(0, m.index).trimEnd()
  }
  if (/^_\w+$/.test(rest) && canonicalTypeName(rest.slice(1))) {
    // PostgreSQL's internal array names (_int4) as printed by some tools.
    rest = rest.slice(1)
    arrayDims++
  }
  let args: string[] = []
  const paren = /\(([^()]*)\)/.exec(rest)
  if (paren) {
    args = paren[1]
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '')
    rest = (rest.slice(0, paren.index) + ' ' + rest.slice(paren.index + paren[0].length)).trim()
  }
  return {name: normalizeTypeName(rest), args, arrayDims, written: rest.replace(/\s+/g, ' ')}
}

/** Every name validation accepts as a built-in: for "did you mean". */
export function knownTypeNames(): string[] {
  return [...ALIASES.keys()]
}

/** Levenshtein distance, capped: near misses only, so the search can stop early. */
export function editDistance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
      best = Math.min(best, row[j])
    }
    if (best > cap) return cap + 1
    prev = row
  }
  return prev[b.length]
}

/**
 * Closest known name to a misspelt one (`varchr` → `varchar`), or undefined when nothing is close:
 * at most 1 edit for names up to 4 characters, 2 for longer ones.
 */
export function didYouMean(name: string, candidates: Iterable<string> = knownTypeNames()): string | undefined {
  const wanted = normalizeTypeName(name)
  const cap = wanted.length <= 4 ? 1 : 2
  let best: string | undefined
  let bestDistance = cap + 1
  for (const candidate of candidates) {
    const d = editDistance(wanted, candidate, cap)
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= cap ? best : undefined
}
