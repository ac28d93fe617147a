/**
 * `db import`: SQL DDL (PostgreSQL, MySQL, SQL Server) or a Rails schema.rb → nself's model,
 * through @dbml/core's importers, with foreign types mapped to PostgreSQL's and a report of every
 * mapping and of what was dropped. @dbml/core is loaded here only (it costs ~0.7 s and ~400 MB).
 */
import {extname} from 'node:path'
import {ValidationError} from '@nself/sdk/errors'
import type {ColumnModel, ColumnType, SchemaModel, TableModel} from '../schema/model.js'
import {parseSchema} from '../schema/parse.js'

export type ImportFormat = 'postgres' | 'mysql' | 'mssql' | 'schemarb'

export interface ImportResult {
  model: SchemaModel
  format: ImportFormat
  /** "orders.total: decimal(10,2) → numeric(10,2)" */
  mappings: string[]
  /** What the source has and the result does not: views, triggers, column options … */
  dropped: string[]
}

/** The dialect: from --from, else the file name (.rb), else what the text looks like. */
export function detectFormat(file: string, source: string, from?: string): ImportFormat {
  if (from) return from as ImportFormat
  if (extname(file) === '.rb' || /ActiveRecord::Schema/.test(source)) return 'schemarb'
  if (/`\w+`|\bENGINE\s*=|\bAUTO_INCREMENT\b/i.test(source)) return 'mysql'
  if (/\[dbo\]|^\s*GO\s*$|\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)|\bNVARCHAR\b/im.test(source)) return 'mssql'
  return 'postgres'
}

export async function importSchema(source: string, file: string, format: ImportFormat): Promise<ImportResult> {
  const dbml = await foreignToDbml(source, file, format)
  const parsed = await parseSchema(dbml, `${file} (as DBML)`)
  if (parsed.parseErrors.length > 0) {
    const first = parsed.parseErrors[0]
    throw new ValidationError(
      `${file}: the importer's DBML does not parse (${first.message} at line ${first.line}:${first.column} of its output)`,
      {
        hint: 'Simplify the statement it names, or import a PostgreSQL dump (pg_dump --schema-only) instead.',
      },
    )
  }
  const model = parsed.model
  const mappings: string[] = []
  for (const table of model.tables) for (const column of table.columns) mapColumn(table, column, format, mappings)
  if (format === 'schemarb') mappings.push(...restoreRails(model, source))
  for (const table of model.tables)
    for (const fk of table.foreignKeys) fk.relation = isKey(table, fk.columns) ? 'one-to-one' : 'many-to-one'
  return {model, format, mappings, dropped: droppedFeatures(source, format)}
}

function isKey(table: TableModel, columns: string[]): boolean {
  const same = (a: string[]) => a.length === columns.length && a.every((c, i) => c === columns[i])
  return (
    (table.primaryKey !== undefined && same(table.primaryKey.columns)) || table.uniques.some((u) => same(u.columns))
  )
}

/** @dbml/core's importer, loaded on first use; its errors ({diags}) become a located message. */
async function foreignToDbml(source: string, file: string, format: ImportFormat): Promise<string> {
  const {importer} = await import('@dbml/core')
  try {
    return importer.import(source, format)
  } catch (error) {
    const diag = (error as {diags?: Array<{message?: string; location?: {start?: {line?: number; column?: number}}}>})
      .diags?.[0]
    const where = diag?.location?.start ? `${file}:${diag.location.start.line}:${diag.location.start.column}` : file
    const message = diag?.message ?? (error instanceof Error ? error.message : String(error))
    throw new ValidationError(`${where}: cannot read this ${format} file: ${message}`, {
      hint: 'Use --from to name the dialect if it was guessed wrong.',
    })
  }
}

type Mapper = (args: string[]) => {name: string; args: string[]}

const keep =
  (name: string): Mapper =>
  (args) => ({name, args})
const bare =
  (name: string, args: string[] = []): Mapper =>
  () => ({name, args})

const MYSQL: Record<string, Mapper> = {
  tinyint: (args) => (args[0] === '1' ? {name: 'boolean', args: []} : {name: 'smallint', args: []}),
  smallint: bare('smallint'),
  mediumint: bare('integer'),
  int: bare('integer'),
  integer: bare('integer'),
  bigint: bare('bigint'),
  datetime: keep('timestamp'),
  timestamp: keep('timestamptz'),
  double: bare('float8'),
  'double precision': bare('float8'),
  float: bare('real'),
  decimal: keep('numeric'),
  tinytext: bare('text'),
  mediumtext: bare('text'),
  longtext: bare('text'),
  tinyblob: bare('bytea'),
  blob: bare('bytea'),
  mediumblob: bare('bytea'),
  longblob: bare('bytea'),
  binary: bare('bytea'),
  varbinary: bare('bytea'),
  year: bare('smallint'),
  bit: (args) => (args[0] === undefined || args[0] === '1' ? {name: 'boolean', args: []} : {name: 'bit', args}),
  set: bare('text'),
  json: bare('jsonb'),
}

const MSSQL: Record<string, Mapper> = {
  nvarchar: (args) =>
    args[0]?.toLowerCase() === 'max' || args.length === 0 ? {name: 'text', args: []} : {name: 'varchar', args},
  varchar: (args) => (args[0]?.toLowerCase() === 'max' ? {name: 'text', args: []} : {name: 'varchar', args}),
  nchar: keep('char'),
  ntext: bare('text'),
  datetime: bare('timestamp'),
  datetime2: keep('timestamp'),
  smalldatetime: bare('timestamp'),
  datetimeoffset: keep('timestamptz'),
  bit: bare('boolean'),
  uniqueidentifier: bare('uuid'),
  money: bare('numeric', ['19', '4']),
  smallmoney: bare('numeric', ['10', '4']),
  image: bare('bytea'),
  varbinary: bare('bytea'),
  binary: bare('bytea'),
  rowversion: bare('bytea'),
  tinyint: bare('smallint'),
  float: bare('float8'),
  decimal: keep('numeric'),
}

const RAILS: Record<string, Mapper> = {
  string: (args) => ({name: 'varchar', args}),
  datetime: keep('timestamp'),
  timestamp: keep('timestamp'),
  float: bare('float8'),
  binary: bare('bytea'),
  decimal: keep('numeric'),
}

const MAPS: Record<ImportFormat, Record<string, Mapper>> = {postgres: {}, mysql: MYSQL, mssql: MSSQL, schemarb: RAILS}

function typeText(t: ColumnType): string {
  return `${t.name}${t.args.length > 0 ? `(${t.args.join(',')})` : ''}${'[]'.repeat(t.arrayDims)}`
}

function mapColumn(table: TableModel, column: ColumnModel, format: ImportFormat, mappings: string[]): void {
  const mapper = MAPS[format][column.type.name.toLowerCase()]
  if (!mapper) return
  const before = typeText(column.type)
  const mapped = mapper(column.type.args)
  column.type = {...column.type, name: mapped.name, args: mapped.args}
  const after = typeText(column.type)
  if (after !== before) mappings.push(`${table.name}.${column.name}: ${before} → ${after}`)
  // MySQL writes boolean defaults as '0' and '1'.
  if (
    mapped.name === 'boolean' &&
    column.default &&
    (column.default.kind === 'string' || column.default.kind === 'number') &&
    /^[01]$/.test(column.default.value)
  ) {
    column.default = {kind: 'boolean', value: column.default.value === '1'}
  }
}

/**
 * @dbml/core's schema.rb importer keeps names and types only; the column options (null: false,
 * default:, limit:, precision:) and Rails' implicit bigint `id` primary key are read back from the
 * source here.
 */
function restoreRails(model: SchemaModel, source: string): string[] {
  const notes: string[] = []
  for (const block of source.matchAll(/create_table\s+"([^"]+)"([^\n]*)\bdo\s*\|t\|([\s\S]*?)\n\s*end\b/g)) {
    const [, name, options, body] = block
    const table = model.tables.find((t) => t.name === name)
    if (!table) continue
    const id = table.columns.find((c) => c.name === 'id')
    if (id && !/\bid:\s*false/.test(options) && !table.primaryKey) {
      const uuid = /\bid:\s*:uuid/.test(options)
      id.type = {name: uuid ? 'uuid' : 'bigint', args: [], arrayDims: 0}
      id.identity = !uuid
      id.notNull = true
      if (uuid) id.default = {kind: 'expression', sql: 'gen_random_uuid()'}
      table.primaryKey = {name: `${name}_pkey`, columns: ['id']}
      notes.push(
        `${name}.id: Rails' implicit primary key → ${uuid ? 'uuid [pk, default: gen_random_uuid()]' : 'bigint [pk, increment]'}`,
      )
    }
    for (const line of body.matchAll(/^\s*t\.(\w+)\s+"([^"]+)"(.*)$/gm)) {
      const column = table.columns.find((c) => c.name === line[2])
      if (column) applyRailsOptions(column, line[3])
    }
    for (const index of body.matchAll(/^\s*t\.index\s+\[([^\]]*)\],\s*name:\s*"([^"]+)"(.*)$/gm)) {
      const columns = [...index[1].matchAll(/"([^"]+)"/g)].map((c) => c[1])
      if (/\bunique:\s*true/.test(index[3])) table.uniques.push({name: index[2], columns})
      else table.indexes.push({name: index[2], parts: columns.map((c) => ({kind: 'column', name: c})), unique: false})
    }
  }
  return notes
}

function applyRailsOptions(column: ColumnModel, options: string): void {
  if (/\bnull:\s*false/.test(options)) column.notNull = true
  const limit = /\blimit:\s*(\d+)/.exec(options)
  if (limit && column.type.name === 'varchar') column.type.args = [limit[1]]
  const precision = /\bprecision:\s*(\d+)/.exec(options)
  const scale = /\bscale:\s*(\d+)/.exec(options)
  if (precision && column.type.name === 'numeric') column.type.args = scale ? [precision[1], scale[1]] : [precision[1]]
  const dflt = /\bdefault:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|nil)/.exec(options)
  if (!dflt || dflt[1] === 'nil') return
  const v = dflt[1]
  if (v === 'true' || v === 'false') column.default = {kind: 'boolean', value: v === 'true'}
  else if (v.startsWith('"')) column.default = {kind: 'string', value: JSON.parse(v) as string}
  else column.default = {kind: 'number', value: v}
}

/** What the importers leave out, found in the source text so that the report can say so. */
function droppedFeatures(source: string, format: ImportFormat): string[] {
  const dropped: string[] = []
  for (const m of source.matchAll(
    /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(VIEW|TRIGGER|PROCEDURE|FUNCTION|EVENT)\s+([`"[\]\w.]+)/gi,
  )) {
    dropped.push(`${m[1].toLowerCase()} ${m[2].replace(/[`"[\]]/g, '')}`)
  }
  if (format === 'mysql') {
    const onUpdate = [...source.matchAll(/`(\w+)`[^\n]*ON UPDATE CURRENT_TIMESTAMP/gi)].map((m) => m[1])
    if (onUpdate.length)
      dropped.push(`ON UPDATE CURRENT_TIMESTAMP on ${onUpdate.join(', ')} (PostgreSQL needs a trigger for this)`)
    if (/\bunsigned\b/i.test(source))
      dropped.push('UNSIGNED (PostgreSQL has no unsigned integers; add a check if it matters)')
    if (/\bENGINE\s*=/i.test(source))
      dropped.push('table options (ENGINE, CHARSET, COLLATE, AUTO_INCREMENT start values)')
  }
  if (format === 'schemarb') {
    for (const m of source.matchAll(/^\s*(enable_extension|create_view|create_trigger|execute)\b[^\n]*/gm))
      dropped.push(m[0].trim())
  }
  return dropped
}
