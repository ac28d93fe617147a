/**
 * DBML → nself schema model.
 *
 * Parser choice, measured on this project's VM (2 vCPU Xeon, Node 20.20.2, @dbml/* 10.2.0; a cold
 * process per run, 3 runs, medians; `node bench/gen-dbml.mjs 1000` = 1,000 tables, 18,405 lines):
 *
 *   | parser                          | load    | blog parse | 1,000-table parse | peak RSS blog / 1,000 |
 *   | @dbml/core Parser 'dbmlv2'      | 734 ms  | 39 ms      | 1,814 ms          | 351 MB / 542 MB       |
 *   | @dbml/parse Compiler (rawDb)    | 17 ms   | 30 ms      | 1,549 ms          | 56 MB / 241 MB        |
 *   | fast path (./fast-parse.ts)     | 0       | ~2 ms      | ~100–250 ms       | (whole CLI) 62 / 105 MB |
 *
 * @dbml/core's 'dbmlv2' is @dbml/parse's `rawDb` turned into its own object graph, so both give the
 * same data; @dbml/parse is 40× cheaper to load, so it is the one we depend on. Its ~1.5 ms per table
 * still missed the 1,000-table budget (≥ 2× faster than dbml2sql), hence the fast path: a strict
 * parser for the common subset that produces the same rawDb and bails to @dbml/parse on anything
 * else, including every error (so error messages are always @dbml/parse's). Both feed buildModel.
 * The only thing @dbml/core adds that we need, TablePartial expansion, is done here (expandPartials).
 *
 * The import of @dbml/parse is lazy (startup budget): only inputs the fast path leaves pay for it.
 */
import type * as DbmlParse from '@dbml/parse'
import type {
  CheckModel,
  ColumnModel,
  DeclaredFacts,
  DefaultValue,
  EnumModel,
  ForeignKeyModel,
  IndexModel,
  IndexPart,
  ParsedSchema,
  ParseProblem,
  PrimaryKeyModel,
  ReferentialAction,
  SchemaModel,
  SourceLocation,
  TableGroupModel,
  TableModel,
  UniqueModel,
} from './model.js'
import {emptyModel, MODEL_VERSION} from './model.js'
import {NameRegistry, constraintName, expressionLabel} from './names.js'
import {fastParse} from './fast-parse.js'
import {MAX_SYNTAX_ERRORS, PROBE_CHARS, firstForeignCharacter, topLevelBoundaries} from './guard.js'
import {SERIAL_TYPES, canonicalTypeName, parseTypeText} from './types.js'

type Raw = DbmlParse.Database
type RawTable = DbmlParse.Table
type RawColumn = DbmlParse.Column
type RawIndex = DbmlParse.Index
type RawRef = DbmlParse.Ref
type RawEndpoint = DbmlParse.RefEndpoint

let parserModule: Promise<typeof DbmlParse> | undefined

/** Loads @dbml/parse once, on first use. */
function loadParser(): Promise<typeof DbmlParse> {
  parserModule ??= import('@dbml/parse')
  return parserModule
}

export function emptyDeclared(): DeclaredFacts {
  return {primaryKeys: [], explicitNull: [], duplicateIndexes: [], junctions: []}
}

/**
 * Parses DBML into the model. Never throws for bad input: parser errors come back as
 * `parseErrors` (1-based, located) with an empty model.
 */
export async function parseSchema(source: string, file: string, options: ParseOptions = {}): Promise<ParsedSchema> {
  const engine = options.engine ?? (process.env.NSELF_DBML_PARSER === 'dbml' ? 'dbml' : 'auto')
  const fast = engine === 'auto' ? tryFastParse(source) : undefined
  if (fast) {
    const parsed = fromRaw(fast, source, file)
    // A model the fast path cannot build is retried the slow way, never reported as its own failure.
    if (parsed.parseErrors.length === 0) return parsed
  }
  const early =
    refuseEarly(source) ?? (source.length > PROBE_CHARS ? probeLargeFile(await loadParser(), source) : undefined)
  if (early) return {file, source, declared: emptyDeclared(), model: emptyModel(), parseErrors: early}
  let raw: Raw | undefined
  let parseErrors: ParseProblem[]
  try {
    ;({raw, errors: parseErrors} = compile(await loadParser(), source))
    parseErrors = capped(parseErrors)
  } catch (error) {
    // The parser itself failed (a bug of its own): report it at the top of the file, not as a stack.
    parseErrors = [{line: 1, column: 1, message: `the DBML parser failed: ${describe(error)}`, code: 0}]
  }
  if (parseErrors.length > 0 || !raw) {
    return (
      withoutUnresolvedRefs(await loadParser(), source, file, parseErrors) ?? {
        file,
        source,
        declared: emptyDeclared(),
        model: emptyModel(),
        parseErrors,
      }
    )
  }
  return fromRaw(raw, source, file)
}

/** @dbml/parse code for "Table/Column '…' does not exist"; codes below it are lexer and parser errors. */
const NOT_FOUND = 4000

/** Binary data or a wrong encoding: one error at its first byte, before the compiler sees it. */
function refuseEarly(source: string): ParseProblem[] | undefined {
  const foreign = firstForeignCharacter(source)
  if (!foreign) return undefined
  const {line, column} = locate(lineStarts(source), foreign.offset)
  return [{line, column, offset: foreign.offset, code: 0, message: `${foreign.what}: a DBML schema is UTF-8 text`}]
}

/**
 * A large file the fast path could not read is compiled on its first part (cut where a top-level
 * element ends) first: when that part already has syntax errors, those are reported (their
 * positions are the same in the whole file) and the rest is not compiled, which bounds the time and
 * memory that megabytes of noise can take. Errors in the part's last element are not trusted (the
 * cut may be wrong), and refs to tables further on are not errors of the part.
 */
function probeLargeFile(dbml: typeof DbmlParse, source: string): ParseProblem[] | undefined {
  const {boundaries, openAt} = topLevelBoundaries(source, PROBE_CHARS)
  if (boundaries.length < 2 && openAt !== undefined) {
    const {line, column} = locate(lineStarts(source), openAt)
    return [
      {
        line,
        column,
        offset: openAt,
        code: 0,
        message: `this '{' is not closed within ${PROBE_CHARS.toLocaleString('en-US')} characters: no DBML element is that long`,
      },
    ]
  }
  // No element ends in the first part (one endless line): cut anywhere, trust what comes well before.
  const cut = boundaries.length >= 2 ? boundaries.at(-1)! : PROBE_CHARS
  const trusted = boundaries.length >= 2 ? boundaries.at(-2)! : PROBE_CHARS * 0.9
  let errors: ParseProblem[]
  try {
    errors = compile(dbml, source.slice(0, cut)).errors
  } catch {
    return undefined
  }
  const real = errors.filter((e) => e.code < NOT_FOUND && e.offset !== undefined && e.offset < trusted)
  if (real.length === 0) return undefined
  const lastLine = locate(lineStarts(source), trusted).line
  return [
    ...capped(real),
    {
      line: lastLine,
      column: 1,
      code: 0,
      message: `stopped checking after line ${lastLine}: fix the errors above first`,
    },
  ]
}

/** The first MAX_SYNTAX_ERRORS problems, and one more line saying how many were left out. */
function capped(problems: ParseProblem[]): ParseProblem[] {
  if (problems.length <= MAX_SYNTAX_ERRORS) return problems
  const kept = problems.slice(0, MAX_SYNTAX_ERRORS)
  const last = kept[kept.length - 1]
  const left = (problems.length - MAX_SYNTAX_ERRORS).toLocaleString('en-US')
  return [
    ...kept,
    {line: last.line, column: last.column, code: 0, message: `${left} more errors not shown: fix these first`},
  ]
}

/**
 * A ref to a missing table or column leaves @dbml/parse without a model, which would hide every
 * other problem of the file. When those are the only errors, the refs are blanked out (with spaces,
 * so every position stays) and the rest is compiled again; the errors are kept, the model is partial.
 */
function withoutUnresolvedRefs(
  dbml: typeof DbmlParse,
  source: string,
  file: string,
  errors: ParseProblem[],
): ParsedSchema | undefined {
  if (errors.length === 0 || errors.some((e) => e.code !== NOT_FOUND || e.offset === undefined)) return undefined
  let blanked = source
  for (const error of errors) {
    const range = refRange(source, error.offset!)
    if (!range) return undefined
    blanked =
      blanked.slice(0, range[0]) + blanked.slice(range[0], range[1]).replace(/[^\n]/g, ' ') + blanked.slice(range[1])
  }
  let raw: Raw | undefined
  try {
    const again = compile(dbml, blanked)
    if (again.errors.length > 0 || !again.raw) return undefined
    raw = again.raw
  } catch {
    return undefined
  }
  const parsed = fromRaw(raw, source, file)
  if (parsed.parseErrors.length > 0) return undefined
  return {...parsed, parseErrors: errors, partial: true}
}

/** The whole `Ref name { … }` block around `offset`, when it is in one. */
function refBlockRange(source: string, offset: number): [number, number] | undefined {
  const open = source.lastIndexOf('{', offset)
  if (open === -1 || source.lastIndexOf('}', offset) > open) return undefined
  const start = source.lastIndexOf('\n', open) + 1
  const close = source.indexOf('}', offset)
  return /^\s*ref\b/i.test(source.slice(start, open)) && close !== -1 ? [start, close + 1] : undefined
}

/**
 * The source range of the ref around `offset`: an inline `ref: > t.c` setting (with its comma, or
 * the whole `[…]` when it is the only setting), else the whole line (`Ref: a.b > c.d`, or one
 * endpoint line inside `Ref { … }`).
 */
function refRange(source: string, offset: number): [number, number] | undefined {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1
  const newline = source.indexOf('\n', offset)
  const lineEnd = newline === -1 ? source.length : newline
  const line = source.slice(lineStart, lineEnd)
  const column = offset - lineStart
  const open = line.lastIndexOf('[', column)
  const close = line.indexOf(']', column)
  if (open === -1 || close === -1)
    return refBlockRange(source, offset) ?? (/^\s*ref\b/i.test(line) ? [lineStart, lineEnd] : undefined)
  const before = line.slice(open + 1, column)
  const refAt = before.search(/ref\s*:[^,\]]*$/i)
  if (refAt === -1) return undefined
  const start = open + 1 + refAt
  const comma = line.indexOf(',', column)
  const end = comma !== -1 && comma < close ? comma : close
  const previousComma = line.lastIndexOf(',', start)
  if (previousComma > open) return [lineStart + previousComma, lineStart + end]
  if (end === comma) return [lineStart + start, lineStart + comma + 1]
  return [lineStart + open, lineStart + close + 1]
}

function fromRaw(raw: Raw, source: string, file: string): ParsedSchema {
  const declared = emptyDeclared()
  try {
    return {file, source, declared, model: buildModel(raw, declared), parseErrors: []}
  } catch (error) {
    const problem = {line: 1, column: 1, message: `could not read the schema: ${describe(error)}`, code: 0}
    return {file, source, declared: emptyDeclared(), model: emptyModel(), parseErrors: [problem]}
  }
}

export interface ParseOptions {
  /**
   * 'auto' (default): the fast path for the common subset, @dbml/parse for everything else;
   * 'dbml': always @dbml/parse (also NSELF_DBML_PARSER=dbml), for comparison and debugging.
   */
  engine?: 'auto' | 'dbml'
}

/** The fast path's rawDb, or undefined when it is not sure (or, being a fast path, fails). */
function tryFastParse(source: string): Raw | undefined {
  try {
    return fastParse(source)
  } catch {
    return undefined
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function compile(dbml: typeof DbmlParse, source: string): {raw?: Raw; errors: ParseProblem[]} {
  const layout = new dbml.MemoryProjectLayout()
  layout.setSource(dbml.DEFAULT_ENTRY, source)
  const compiler = new dbml.Compiler(layout)
  const errors = compiler.parse.errors(dbml.DEFAULT_ENTRY)
  if (errors.length > 0) return {errors: toProblems(source, errors)}
  return {raw: compiler.parse.rawDb(dbml.DEFAULT_ENTRY), errors: []}
}

/** Compiler errors carry offsets; turn them into 1-based line/column, in file order. */
function toProblems(source: string, errors: readonly DbmlParse.CompileError[]): ParseProblem[] {
  const lines = lineStarts(source)
  const problems = errors.map((e) => {
    const {line, column} = locate(lines, typeof e.start === 'number' ? e.start : 0)
    const offset = typeof e.start === 'number' ? e.start : undefined
    return {
      line,
      column,
      message: String(e.diagnostic ?? e.message ?? 'syntax error'),
      code: Number(e.code) || 0,
      offset,
    }
  })
  return problems.sort((a, b) => a.line - b.line || a.column - b.column)
}

function lineStarts(source: string): number[] {
  const starts = [0]
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

function locate(starts: number[], offset: number): SourceLocation {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid] <= offset) lo = mid
    else hi = mid - 1
  }
  return {line: lo + 1, column: offset - starts[lo] + 1}
}

// ---------------------------------------------------------------------------------------------
// rawDb → model

const at = (token?: DbmlParse.TokenPosition): SourceLocation | undefined =>
  token && token.start.line > 0 ? {line: token.start.line, column: token.start.column} : undefined

const keyOf = (schema: string | null | undefined, name: string): string => `${schema ?? 'public'}.${name}`

/** Per-table working state while the model is built. */
interface Draft {
  fields: RawColumn[]
  indexes: RawIndex[]
  checks: DbmlParse.Check[]
  model: TableModel
}

interface Ctx {
  declared: DeclaredFacts
  drafts: Map<string, Draft>
  /** Index-like names (pkey, key, idx) share the schema's relation namespace with tables. */
  schemaNames: Map<string, NameRegistry>
  /** Foreign-key and check names are unique per table. */
  tableNames: Map<string, NameRegistry>
}

function buildModel(raw: Raw, declared: DeclaredFacts): SchemaModel {
  const ctx: Ctx = {declared, drafts: new Map(), schemaNames: new Map(), tableNames: new Map()}
  for (const table of raw.tables) addDraft(ctx, raw, table)
  reserveExplicitNames(ctx, raw)
  for (const draft of ctx.drafts.values()) buildTable(ctx, draft)
  addForeignKeys(ctx, raw)
  const tables = [...ctx.drafts.values()].map((d) => finishTable(d.model))
  const enums = raw.enums.map(toEnum)
  const schemas = new Set(['public', ...tables.map((t) => t.schema), ...enums.map((e) => e.schema)])
  const note = (raw.project as {note?: {value: string}} | undefined)?.note?.value
  return {
    version: MODEL_VERSION,
    schemas: [...schemas].sort(),
    enums: enums.sort(byQualifiedName),
    tables: tables.sort(byQualifiedName),
    tableGroups: raw.tableGroups.map(toTableGroup).sort((a, b) => cmp(a.name, b.name)),
    ...(note === undefined ? {} : {note}),
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const byName = (a: {name: string}, b: {name: string}): number => cmp(a.name, b.name)
const byQualifiedName = (a: {schema: string; name: string}, b: {schema: string; name: string}): number =>
  cmp(a.schema, b.schema) || cmp(a.name, b.name)

function addDraft(ctx: Ctx, raw: Raw, table: RawTable): void {
  const schema = table.schemaName ?? 'public'
  const {fields, indexes, checks} = expandPartials(raw, table)
  const model: TableModel = {
    schema,
    name: table.name,
    ...(table.note ? {note: table.note.value} : {}),
    columns: [],
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
    ...(at(table.token) ? {loc: at(table.token)} : {}),
  }
  // A duplicate table is a parser error, so the key is unique here.
  ctx.drafts.set(keyOf(schema, table.name), {fields, indexes, checks, model})
  schemaRegistry(ctx, schema).reserve(table.name)
}

function schemaRegistry(ctx: Ctx, schema: string): NameRegistry {
  let registry = ctx.schemaNames.get(schema)
  if (!registry) ctx.schemaNames.set(schema, (registry = new NameRegistry()))
  return registry
}

function tableRegistry(ctx: Ctx, key: string): NameRegistry {
  let registry = ctx.tableNames.get(key)
  if (!registry) ctx.tableNames.set(key, (registry = new NameRegistry()))
  return registry
}

/** Explicit names first, so a generated name never takes a name the user wrote further down. */
function reserveExplicitNames(ctx: Ctx, raw: Raw): void {
  for (const [key, draft] of ctx.drafts) {
    for (const index of draft.indexes) if (index.name) schemaRegistry(ctx, draft.model.schema).reserve(index.name)
    for (const check of draft.checks) if (check.name) tableRegistry(ctx, key).reserve(check.name)
    for (const field of draft.fields)
      for (const check of field.checks ?? []) if (check.name) tableRegistry(ctx, key).reserve(check.name)
  }
  for (const ref of raw.refs) {
    if (!ref.name) continue
    const side = fkSide(ctx, ref, new Set())
    if (side) tableRegistry(ctx, keyOf(side.from.schemaName, side.from.tableName)).reserve(ref.name)
  }
}

/**
 * TablePartial injection (`~timestamps`), done by @dbml/core but not by @dbml/parse: partial fields
 * go where the `~name` line is; the table's own fields win over partial ones of the same name, and a
 * later partial wins over an earlier one.
 */
function expandPartials(
  raw: Raw,
  table: RawTable,
): {fields: RawColumn[]; indexes: RawIndex[]; checks: DbmlParse.Check[]} {
  const injections = table.partials ?? []
  if (injections.length === 0) return {fields: table.fields, indexes: table.indexes, checks: table.checks ?? []}
  const partials = new Map((raw.tablePartials ?? []).map((p) => [p.name, p]))
  const own = new Set(table.fields.map((f) => f.name))
  type Slot = {offset: number; fields: RawColumn[]}
  const slots: Slot[] = table.fields.map((f) => ({offset: f.token.start.offset, fields: [f]}))
  const indexes = [...table.indexes]
  const checks = [...(table.checks ?? [])]
  for (const injection of injections) {
    const partial = partials.get(injection.name)
    if (!partial) continue
    slots.push({offset: injection.token.start.offset, fields: partial.fields.filter((f) => !own.has(f.name))})
    indexes.push(...partial.indexes)
    checks.push(...(partial.checks ?? []))
  }
  slots.sort((a, b) => a.offset - b.offset)
  const fields: RawColumn[] = []
  for (const field of slots.flatMap((s) => s.fields)) {
    const earlier = fields.findIndex((f) => f.name === field.name)
    if (earlier !== -1) fields.splice(earlier, 1)
    fields.push(field)
  }
  return {fields, indexes, checks}
}

function buildTable(ctx: Ctx, draft: Draft): void {
  const key = keyOf(draft.model.schema, draft.model.name)
  draft.model.columns = draft.fields.map(toColumn)
  addPrimaryKey(ctx, draft, key)
  for (const field of draft.fields) {
    if (field.not_null === false) ctx.declared.explicitNull.push({table: key, column: field.name, loc: at(field.token)})
    if (field.unique) addUnique(ctx, draft, [field.name], at(field.token))
    for (const check of field.checks ?? []) addCheck(ctx, draft, key, check, [field.name])
  }
  for (const index of draft.indexes) if (!index.pk) addIndex(ctx, draft, key, index)
  for (const check of draft.checks) addCheck(ctx, draft, key, check, [])
}

function toColumn(field: RawColumn): ColumnModel {
  const written = parseTypeText(field.type.type_name)
  // Built-in names are stored lower-cased; user-defined (enum) names as written, since SQL quotes them.
  const builtin = canonicalTypeName(written.name) !== undefined && !field.type.schemaName
  // Anything but one name, its arguments and [] (e.g. "int[] junk", "varchar(10) not null") is kept
  // whole, so validation reports it as an unknown type instead of quietly dropping the rest.
  const plain = builtin || /^[^()[\]]+(\([^()]*\))?(\s*\[\s*\d*\s*\])*$/.test(field.type.type_name.trim())
  const column: ColumnModel = {
    name: field.name,
    type: {
      name: builtin ? written.name : plain ? written.written : field.type.type_name.trim(),
      ...(field.type.schemaName ? {schema: field.type.schemaName} : {}),
      args: plain ? written.args : [],
      arrayDims: plain ? written.arrayDims : 0,
    },
    notNull: field.not_null === true || field.pk === true,
    // Serial types keep their own sequence: `serial [increment]` (what SQL importers write for
    // SERIAL PRIMARY KEY) is a serial column, not an identity on top of one.
    identity: field.increment === true && !SERIAL_TYPES.has(canonicalTypeName(written.name) ?? ''),
  }
  const dflt = toDefault(field.dbdefault)
  if (dflt) column.default = dflt
  if (field.note) column.note = field.note.value
  const loc = at(field.token)
  if (loc) column.loc = loc
  return column
}

/** DBML's default shapes: `null` and true/false arrive as boolean-typed strings. */
export function toDefault(raw: RawColumn['dbdefault']): DefaultValue | undefined {
  if (!raw) return undefined
  switch (raw.type) {
    case 'number':
      return {kind: 'number', value: String(raw.value)}
    case 'string':
      return {kind: 'string', value: String(raw.value)}
    case 'expression':
      return {kind: 'expression', sql: String(raw.value)}
    case 'boolean': {
      const v = String(raw.value).toLowerCase()
      return v === 'null' ? {kind: 'null'} : {kind: 'boolean', value: v === 'true'}
    }
    default:
      return undefined
  }
}

function addPrimaryKey(ctx: Ctx, draft: Draft, key: string): void {
  const declarations: Array<{columns: string[]; loc?: SourceLocation; name?: string}> = []
  const inline = draft.fields.filter((f) => f.pk)
  if (inline.length > 0) declarations.push({columns: inline.map((f) => f.name), loc: at(inline[0].token)})
  for (const index of draft.indexes) {
    if (!index.pk) continue
    const columns = index.columns.map((c) => c.value)
    // Several inline [pk] columns arrive as one synthetic pk index without a position.
    const loc = at(index.token) ?? at(draft.fields.find((f) => f.name === columns[0])?.token)
    declarations.push({columns, loc, name: index.name})
  }
  // The synthetic index for several [pk] columns comes last in rawDb: put declarations in file order.
  declarations.sort((x, y) => (x.loc?.line ?? 0) - (y.loc?.line ?? 0) || (x.loc?.column ?? 0) - (y.loc?.column ?? 0))
  for (const d of declarations) ctx.declared.primaryKeys.push({table: key, columns: d.columns, loc: d.loc})
  const first = declarations[0]
  if (!first) return
  const name =
    first.name ?? schemaRegistry(ctx, draft.model.schema).unique(constraintName(draft.model.name, [], 'pkey'))
  const pk: PrimaryKeyModel = {name, columns: first.columns, ...(first.loc ? {loc: first.loc} : {})}
  draft.model.primaryKey = pk
  for (const column of draft.model.columns) if (first.columns.includes(column.name)) column.notNull = true
}

const sameColumns = (a: string[], b: string[]): boolean => a.length === b.length && a.every((c, i) => c === b[i])

/** True when these exact columns are already the primary key or a unique constraint. */
function isKey(table: TableModel, columns: string[]): boolean {
  if (table.primaryKey && sameColumns(table.primaryKey.columns, columns)) return true
  return table.uniques.some((u) => sameColumns(u.columns, columns))
}

function addUnique(ctx: Ctx, draft: Draft, columns: string[], loc?: SourceLocation, explicit?: string): void {
  if (isKey(draft.model, columns)) return
  const registry = schemaRegistry(ctx, draft.model.schema)
  const name = explicit ?? registry.unique(constraintName(draft.model.name, columns, 'key'))
  const unique: UniqueModel = {name, columns, ...(loc ? {loc} : {})}
  draft.model.uniques.push(unique)
}

function addIndex(ctx: Ctx, draft: Draft, key: string, index: RawIndex): void {
  // @dbml/parse lists expressions before columns; an index's column order matters, so restore it.
  const ordered = [...index.columns].sort((a, b) => a.token.start.offset - b.token.start.offset)
  const parts: IndexPart[] = ordered.map((c) =>
    c.type === 'expression' ? {kind: 'expression', sql: c.value} : {kind: 'column', name: c.value},
  )
  const method = index.type ? index.type.toLowerCase() : undefined
  const loc = at(index.token)
  const columnsOnly = parts.every((p) => p.kind === 'column')
  const columns = parts.map((p) => (p.kind === 'column' ? p.name : ''))
  // `(email) [unique]` beside `email [unique]` is one constraint, not two unique indexes.
  if (index.unique && columnsOnly && (!method || method === 'btree')) {
    if (isKey(draft.model, columns)) return
    return addUnique(ctx, draft, columns, loc, index.name)
  }
  const same = draft.model.indexes.find((i) => sameIndex(i, parts, index.unique === true, method))
  const labels = parts.map((p) => (p.kind === 'column' ? p.name : expressionLabel(p.sql)))
  const generated = constraintName(draft.model.name, labels, 'idx')
  if (same) {
    // Dropped from the model (validation reports it), so it takes no name from the registry.
    ctx.declared.duplicateIndexes.push({table: key, name: index.name ?? generated, loc, first: same.loc})
    return
  }
  const name = index.name ?? schemaRegistry(ctx, draft.model.schema).unique(generated)
  const model: IndexModel = {name, parts, unique: index.unique === true}
  if (method) model.method = method
  if (index.note) model.note = index.note.value
  if (loc) model.loc = loc
  draft.model.indexes.push(model)
}

function sameIndex(index: IndexModel, parts: IndexPart[], unique: boolean, method?: string): boolean {
  if (index.unique !== unique || (index.method ?? 'btree') !== (method ?? 'btree')) return false
  if (index.parts.length !== parts.length) return false
  return index.parts.every((p, i) => JSON.stringify(p) === JSON.stringify(parts[i]))
}

function addCheck(ctx: Ctx, draft: Draft, key: string, check: DbmlParse.Check, columns: string[]): void {
  const name = check.name ?? tableRegistry(ctx, key).unique(constraintName(draft.model.name, columns, 'check'))
  const model: CheckModel = {name, expression: check.expression}
  const loc = at(check.token)
  if (loc) model.loc = loc
  draft.model.checks.push(model)
}

// ---------------------------------------------------------------------------------------------
// References

const isMany = (e: RawEndpoint): boolean => String(e.relation).includes('*')

const ACTIONS: Record<string, ReferentialAction> = {
  'no action': 'NO ACTION',
  restrict: 'RESTRICT',
  cascade: 'CASCADE',
  'set null': 'SET NULL',
  'set default': 'SET DEFAULT',
}

/**
 * Which endpoint holds the foreign key. Endpoint order is not stable (inline refs list the target
 * first, long-form `Ref:` lines the left side first), so: the many side; for one-to-one, the side
 * whose columns are not a key of their table; when both or neither are keys, the column that wrote
 * the inline ref, or the left side of a long-form ref.
 */
function fkSide(ctx: Ctx, ref: RawRef, inlineOffsets: Set<number>): {from: RawEndpoint; to: RawEndpoint} | undefined {
  const [a, b] = ref.endpoints
  if (isMany(a) && isMany(b)) return undefined
  if (isMany(a)) return {from: a, to: b}
  if (isMany(b)) return {from: b, to: a}
  const aKey = endpointIsKey(ctx, a)
  const bKey = endpointIsKey(ctx, b)
  if (aKey && !bKey) return {from: b, to: a}
  if (bKey && !aKey) return {from: a, to: b}
  // Inline refs list [target, owner]; the owner wrote the ref, so it holds the key.
  return inlineOffsets.has(ref.token.start.offset) ? {from: b, to: a} : {from: a, to: b}
}

function endpointIsKey(ctx: Ctx, e: RawEndpoint): boolean {
  const draft = ctx.drafts.get(keyOf(e.schemaName, e.tableName))
  if (!draft) return false
  if (draft.model.primaryKey ? sameColumns(draft.model.primaryKey.columns, e.fieldNames) : false) return true
  if (draft.model.uniques.some((u) => sameColumns(u.columns, e.fieldNames))) return true
  // Before buildTable runs (explicit-name pass) only the raw flags are known.
  return e.fieldNames.length === 1 && draft.fields.some((f) => f.name === e.fieldNames[0] && (f.pk || f.unique))
}

function inlineRefOffsets(raw: Raw): Set<number> {
  const offsets = new Set<number>()
  for (const table of raw.tables)
    for (const f of table.fields) for (const r of f.inline_refs ?? []) offsets.add(r.token.start.offset)
  return offsets
}

function addForeignKeys(ctx: Ctx, raw: Raw): void {
  const inline = inlineRefOffsets(raw)
  // File order, whichever parser listed them: FK names are handed out in this order.
  const refs = [...raw.refs].sort((a, b) => a.token.start.offset - b.token.start.offset)
  for (const ref of refs) {
    if (ref.inactive) continue
    const side = fkSide(ctx, ref, inline)
    if (!side) {
      addJunction(ctx, ref)
      continue
    }
    const key = keyOf(side.from.schemaName, side.from.tableName)
    const draft = ctx.drafts.get(key)
    if (!draft) continue
    const oneToOne = !isMany(ref.endpoints[0]) && !isMany(ref.endpoints[1])
    draft.model.foreignKeys.push(toForeignKey(ctx, key, draft.model.name, side, ref, oneToOne))
  }
}

function toForeignKey(
  ctx: Ctx,
  key: string,
  table: string,
  side: {from: RawEndpoint; to: RawEndpoint},
  ref: RawRef,
  oneToOne: boolean,
): ForeignKeyModel {
  const fk: ForeignKeyModel = {
    name: ref.name ?? tableRegistry(ctx, key).unique(constraintName(table, side.from.fieldNames, 'fkey')),
    columns: [...side.from.fieldNames],
    refSchema: side.to.schemaName ?? 'public',
    refTable: side.to.tableName,
    refColumns: [...side.to.fieldNames],
    relation: oneToOne ? 'one-to-one' : 'many-to-one',
  }
  const onDelete = ACTIONS[String(ref.onDelete ?? '').toLowerCase()]
  const onUpdate = ACTIONS[String(ref.onUpdate ?? '').toLowerCase()]
  if (onDelete) fk.onDelete = onDelete
  if (onUpdate) fk.onUpdate = onUpdate
  const loc = at(ref.token)
  if (loc) fk.loc = loc
  return fk
}

/**
 * `a.x <> b.y` generates a junction table as dbml does: `a_b` with columns `a_x` and `b_y`,
 * a composite primary key and a foreign key to each side.
 */
function addJunction(ctx: Ctx, ref: RawRef): void {
  const [a, b] = ref.endpoints
  const schema = a.schemaName ?? 'public'
  const name = `${a.tableName}_${b.tableName}`
  const key = keyOf(schema, name)
  const collides = [...ctx.drafts.keys()].some((k) => k.toLowerCase() === key.toLowerCase())
  const loc = at(ref.token)
  ctx.declared.junctions.push({
    schema,
    name,
    left: keyOf(a.schemaName, a.tableName),
    right: keyOf(b.schemaName, b.tableName),
    collides,
    ...(loc ? {loc} : {}),
  })
  if (collides) return
  const left = junctionColumns(ctx, a, new Set())
  const right = junctionColumns(ctx, b, new Set(left.map((c) => c.name)))
  const model: TableModel = {
    schema,
    name,
    columns: [...left, ...right],
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
    generated: 'many-to-many',
  }
  if (loc) model.loc = loc
  ctx.drafts.set(key, {fields: [], indexes: [], checks: [], model})
  const registry = schemaRegistry(ctx, schema)
  registry.reserve(name)
  model.primaryKey = {
    name: registry.unique(constraintName(name, [], 'pkey')),
    columns: model.columns.map((c) => c.name),
    ...(loc ? {loc} : {}),
  }
  for (const [endpoint, cols] of [
    [a, left],
    [b, right],
  ] as const) {
    const fk: ForeignKeyModel = {
      name: tableRegistry(ctx, key).unique(
        constraintName(
          name,
          cols.map((c) => c.name),
          'fkey',
        ),
      ),
      columns: cols.map((c) => c.name),
      refSchema: endpoint.schemaName ?? 'public',
      refTable: endpoint.tableName,
      refColumns: [...endpoint.fieldNames],
      relation: 'many-to-one',
      ...(loc ? {loc} : {}),
    }
    model.foreignKeys.push(fk)
  }
}

function junctionColumns(ctx: Ctx, e: RawEndpoint, taken: Set<string>): ColumnModel[] {
  const target = ctx.drafts.get(keyOf(e.schemaName, e.tableName))?.model
  return e.fieldNames.map((field) => {
    let name = `${e.tableName}_${field}`
    // A self many-to-many (`a.id <> a.id`) would repeat the names.
    for (let i = 2; taken.has(name); i++) name = `${e.tableName}_${field}_${i}`
    taken.add(name)
    const source = target?.columns.find((c) => c.name === field)
    const type = source
      ? {...source.type, name: serialBase(source.type.name), args: [...source.type.args]}
      : {name: 'integer', args: [], arrayDims: 0}
    return {name, type, notNull: true, identity: false}
  })
}

/** A junction column referencing a serial column is a plain integer of the same width. */
function serialBase(name: string): string {
  return (
    (
      {
        serial: 'integer',
        serial4: 'integer',
        bigserial: 'bigint',
        serial8: 'bigint',
        smallserial: 'smallint',
        serial2: 'smallint',
      } as Record<string, string>
    )[name] ?? name
  )
}

function finishTable(table: TableModel): TableModel {
  table.uniques.sort(byName)
  table.indexes.sort(byName)
  table.foreignKeys.sort(byName)
  table.checks.sort(byName)
  return table
}

function toEnum(e: DbmlParse.Enum): EnumModel {
  const model: EnumModel = {schema: e.schemaName ?? 'public', name: e.name, values: e.values.map((v) => v.name)}
  const loc = at(e.token)
  if (loc) model.loc = loc
  return model
}

function toTableGroup(g: DbmlParse.TableGroup): TableGroupModel {
  const model: TableGroupModel = {name: g.name ?? '', tables: g.tables.map((t) => keyOf(t.schemaName, t.name))}
  if (g.note) model.note = g.note.value
  const loc = at(g.token)
  if (loc) model.loc = loc
  return model
}
