/**
 * `// hasura:` annotations in schema.dbml: the grammar is documented in the plugin's README.md.
 *
 *   // hasura:permissions user:select[id,email] admin:*
 *   // hasura:permissions user:update[title] where author_id = X-Hasura-User-Id
 *   // hasura:relationship posts[author_id->id]
 *   // hasura:object-relationship owner:users[owner_id->id]
 *   // hasura:computed full_name function(public.user_full_name)
 *
 * Each annotation belongs to the Table block whose lines contain it. Every mistake becomes a
 * diagnostic at the file's line and column of the offending word; nothing here throws on bad input.
 */
import type {SchemaDiagnostic, SchemaModelView, SchemaTableView} from '@nself/sdk/hooks'
import {type Comment, scanSource, tableBlocks} from './source.js'

export const OPERATIONS = ['select', 'insert', 'update', 'delete'] as const
export type Operation = (typeof OPERATIONS)[number]

export type BoolExp = Record<string, unknown>

export interface TableRef {
  schema: string
  name: string
}

export interface PermissionAnnotation {
  role: string
  operation: Operation
  /** Undefined: every column of the table. */
  columns?: string[]
  filter?: BoolExp
  check?: BoolExp
  set?: Record<string, unknown>
  limit?: number
  allowAggregations?: boolean
  line: number
  column: number
}

export interface RelationshipAnnotation {
  kind: 'array' | 'object'
  name: string
  target: TableRef
  /** Pairs [column of the many (referencing) side, column it references]. */
  from: string[]
  to: string[]
  line: number
  column: number
}

export interface ComputedAnnotation {
  name: string
  fn: TableRef
  line: number
  column: number
}

export interface TableAnnotations {
  permissions: PermissionAnnotation[]
  relationships: RelationshipAnnotation[]
  computed: ComputedAnnotation[]
}

export interface Annotations {
  /** Keyed by "schema.table". */
  tables: Map<string, TableAnnotations>
  diagnostics: SchemaDiagnostic[]
  /** Things skipped on purpose (explicit admin permissions), for the commands to print. */
  notes: string[]
}

const RULE = 'hasura-annotation'
const ROLE = /^[A-Za-z][A-Za-z0-9_-]*$/
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export const tableKey = (t: TableRef): string => `${t.schema}.${t.name}`

/** Reads every `// hasura:` comment of `source`, checked against `model`. */
export function parseAnnotations(source: string, model: SchemaModelView, file = 'schema.dbml'): Annotations {
  const result: Annotations = {tables: new Map(), diagnostics: [], notes: []}
  const scan = scanSource(source)
  const blocks = tableBlocks(scan, model.tables)
  const tables = new Map(model.tables.map((t) => [tableKey(t), t]))
  for (const comment of scan.comments) {
    const lead = /^\s*hasura:/.exec(comment.text)
    if (!lead) continue
    const at = (offset: number) => ({line: comment.line, column: comment.column + offset})
    const block = blocks.find((b) => b.start < comment.offset && comment.offset < b.end)
    if (!block) {
      result.diagnostics.push(
        error(
          at(lead[0].length - 'hasura:'.length),
          'a `// hasura:` annotation must be inside the Table block it is about',
        ),
      )
      continue
    }
    const entry = result.tables.get(tableKey(block.table)) ?? {permissions: [], relationships: [], computed: []}
    result.tables.set(tableKey(block.table), entry)
    const ctx: Context = {comment, table: block.table, tables, entry, result, file}
    parseDirective(ctx, lead[0].length)
  }
  checkDuplicates(result)
  return result
}

interface Context {
  comment: Comment
  table: SchemaTableView
  tables: Map<string, SchemaTableView>
  entry: TableAnnotations
  result: Annotations
  file: string
}

function error(pos: {line: number; column: number}, message: string, hint?: string): SchemaDiagnostic {
  return {...pos, severity: 'error', message, rule: RULE, ...(hint ? {hint} : {})}
}

function report(ctx: Context, offset: number, message: string, hint?: string): void {
  ctx.result.diagnostics.push(error({line: ctx.comment.line, column: ctx.comment.column + offset}, message, hint))
}

function parseDirective(ctx: Context, offset: number): void {
  const text = ctx.comment.text
  const word = /^[A-Za-z-]*/.exec(text.slice(offset))![0]
  const rest = offset + word.length
  switch (word) {
    case 'permissions':
      return parsePermissions(ctx, tokenize(ctx, rest))
    case 'relationship':
    case 'array-relationship':
      return parseRelationships(ctx, rest, 'array')
    case 'object-relationship':
      return parseRelationships(ctx, rest, 'object')
    case 'computed':
      return parseComputed(ctx, rest)
    default:
      report(
        ctx,
        offset,
        `unknown hasura annotation "hasura:${word}"`,
        'use hasura:permissions, hasura:relationship, hasura:object-relationship or hasura:computed',
      )
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens of a permissions annotation

interface Token {
  kind: 'word' | 'string' | 'punct'
  text: string
  /** Offset in the comment text. */
  offset: number
}

const PUNCT = ['!=', '<>', '<=', '>=', ':', '[', ']', ',', '*', '=', '<', '>']

function tokenize(ctx: Context, from: number): Token[] | undefined {
  const text = ctx.comment.text
  const tokens: Token[] = []
  let i = from
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++
      continue
    }
    const word = /^-?[A-Za-z0-9_][A-Za-z0-9_.-]*/.exec(text.slice(i))
    if (word) {
      tokens.push({kind: 'word', text: word[0], offset: i})
      i += word[0].length
      continue
    }
    if (text[i] === "'") {
      let j = i + 1
      let value = ''
      while (j < text.length && text[j] !== "'") {
        if (text[j] === '\\' && j + 1 < text.length) j++
        value += text[j++]
      }
      if (j >= text.length) {
        report(ctx, i, 'unterminated string: close it with a single quote')
        return undefined
      }
      tokens.push({kind: 'string', text: value, offset: i})
      i = j + 1
      continue
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i))
    if (!punct) {
      report(ctx, i, `unexpected character "${text[i]}"`)
      return undefined
    }
    tokens.push({kind: 'punct', text: punct, offset: i})
    i += punct.length
  }
  return tokens
}

class Cursor {
  i = 0
  constructor(
    readonly tokens: Token[],
    readonly end: number,
  ) {}
  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k]
  }
  next(): Token | undefined {
    return this.tokens[this.i++]
  }
  is(text: string, k = 0): boolean {
    const t = this.peek(k)
    return t !== undefined && t.kind !== 'string' && t.text === text
  }
  /** Offset of the current token, or the end of the comment. */
  get offset(): number {
    return this.peek()?.offset ?? this.end
  }
  /** A role spec starts here: `name:`. */
  atEntry(): boolean {
    return this.peek()?.kind === 'word' && this.is(':', 1)
  }
}

class Stop extends Error {}

// ---------------------------------------------------------------------------------------------
// hasura:permissions ROLE:OPS[COLUMNS] [where COND] [check COND] [set COL=VALUE,…] [limit N] [aggregations] …

function parsePermissions(ctx: Context, tokens: Token[] | undefined): void {
  if (!tokens) return
  const cursor = new Cursor(tokens, ctx.comment.text.length)
  if (tokens.length === 0)
    report(ctx, cursor.end, 'hasura:permissions needs at least one ROLE:OPERATION, e.g. user:select[id,email]')
  try {
    while (cursor.peek()) parseEntry(ctx, cursor)
  } catch (error) {
    if (!(error instanceof Stop)) throw error
  }
}

function fail(ctx: Context, offset: number, message: string, hint?: string): never {
  report(ctx, offset, message, hint)
  throw new Stop()
}

function parseEntry(ctx: Context, cursor: Cursor): void {
  const roleToken = cursor.next()!
  if (roleToken.kind !== 'word' || !cursor.is(':')) {
    fail(
      ctx,
      roleToken.offset,
      `unknown role syntax "${roleToken.text}"`,
      'write ROLE:OPERATION[columns], e.g. user:select[id,email]; operations: select, insert, update, delete or *',
    )
  }
  if (!ROLE.test(roleToken.text))
    fail(
      ctx,
      roleToken.offset,
      `invalid role name "${roleToken.text}"`,
      'a role starts with a letter and has letters, digits, _ or -',
    )
  cursor.next()
  const operations = parseOperations(ctx, cursor)
  const columns = cursor.is('[') ? parseColumnList(ctx, cursor) : undefined
  const options = parseOptions(ctx, cursor, operations)
  if (roleToken.text === 'admin') {
    const where = `${ctx.file}:${ctx.comment.line}:${ctx.comment.column + roleToken.offset}`
    ctx.result.notes.push(
      `${where}: role admin skipped: Hasura's admin role has every permission and rejects explicit ones`,
    )
    return
  }
  const pos = {line: ctx.comment.line, column: ctx.comment.column + roleToken.offset}
  for (const operation of operations) {
    const permission: PermissionAnnotation = {role: roleToken.text, operation, ...pos}
    if (operation !== 'delete' && columns) permission.columns = columns
    if (operation !== 'insert' && options.filter) permission.filter = options.filter
    // Insert has no row filter: the rows one may insert are those one could see, unless `check` says otherwise.
    if (operation === 'insert' && (options.check ?? options.filter)) permission.check = options.check ?? options.filter
    if (operation === 'update' && options.check) permission.check = options.check
    if ((operation === 'insert' || operation === 'update') && options.set) permission.set = options.set
    if (operation === 'select' && options.limit !== undefined) permission.limit = options.limit
    if (operation === 'select' && options.aggregations) permission.allowAggregations = true
    ctx.entry.permissions.push(permission)
  }
}

function parseOperations(ctx: Context, cursor: Cursor): Operation[] {
  if (cursor.is('*')) {
    cursor.next()
    return [...OPERATIONS]
  }
  const operations: Operation[] = []
  for (;;) {
    const token = cursor.next()
    if (!token || token.kind !== 'word' || !(OPERATIONS as readonly string[]).includes(token.text)) {
      fail(
        ctx,
        token?.offset ?? cursor.end,
        `unknown operation "${token?.text ?? ''}"`,
        'operations are select, insert, update, delete or * (all four); several: select,update',
      )
    }
    if (!operations.includes(token.text as Operation)) operations.push(token.text as Operation)
    if (!cursor.is(',')) return operations
    cursor.next()
  }
}

function parseColumnList(ctx: Context, cursor: Cursor): string[] | undefined {
  cursor.next() // [
  if (cursor.is('*') && cursor.is(']', 1)) {
    cursor.next()
    cursor.next()
    return undefined
  }
  const columns: string[] = []
  for (;;) {
    const token = cursor.next()
    if (!token || token.kind !== 'word') fail(ctx, token?.offset ?? cursor.end, 'expected a column name in [ … ]')
    checkColumn(ctx, ctx.table, token.text, token.offset)
    if (!columns.includes(token.text)) columns.push(token.text)
    const sep = cursor.next()
    if (sep?.text === ']' && sep.kind === 'punct') return columns
    if (sep?.text !== ',' || sep.kind !== 'punct')
      fail(ctx, sep?.offset ?? cursor.end, 'expected "," or "]" in the column list')
  }
}

function checkColumn(ctx: Context, table: SchemaTableView, column: string, offset: number): boolean {
  if (table.columns.some((c) => c.name === column)) return true
  report(
    ctx,
    offset,
    `unknown column "${column}" in table ${shownTable(table)}`,
    `columns of ${shownTable(table)}: ${table.columns.map((c) => c.name).join(', ')}`,
  )
  return false
}

const shownTable = (t: TableRef): string => (t.schema === 'public' ? t.name : `${t.schema}.${t.name}`)

interface Options {
  filter?: BoolExp
  check?: BoolExp
  set?: Record<string, unknown>
  limit?: number
  aggregations?: boolean
}

const OPTION_OPERATIONS: Record<string, Operation[]> = {
  where: ['select', 'update', 'delete', 'insert'],
  check: ['insert', 'update'],
  set: ['insert', 'update'],
  limit: ['select'],
  aggregations: ['select'],
}

function parseOptions(ctx: Context, cursor: Cursor, operations: Operation[]): Options {
  const options: Options = {}
  while (cursor.peek() && !cursor.atEntry()) {
    const token = cursor.next()!
    const allowed = token.kind === 'word' ? OPTION_OPERATIONS[token.text] : undefined
    if (!allowed) {
      fail(
        ctx,
        token.offset,
        `unexpected "${token.text}"`,
        'after ROLE:OPERATION[columns] come: where COND, check COND, set COL=VALUE, limit N, aggregations, or the next ROLE:OPERATION',
      )
    }
    if (!operations.some((o) => allowed.includes(o))) {
      fail(
        ctx,
        token.offset,
        `"${token.text}" does not apply to ${operations.join(',')}`,
        `it applies to ${allowed.join(', ')}`,
      )
    }
    if (token.text === 'where') options.filter = parseCondition(ctx, cursor)
    else if (token.text === 'check') options.check = parseCondition(ctx, cursor)
    else if (token.text === 'set') options.set = parseAssignments(ctx, cursor)
    else if (token.text === 'limit') options.limit = parseLimit(ctx, cursor)
    else options.aggregations = true
  }
  return options
}

function parseLimit(ctx: Context, cursor: Cursor): number {
  const token = cursor.next()
  if (!token || token.kind !== 'word' || !/^\d+$/.test(token.text))
    fail(ctx, token?.offset ?? cursor.end, 'limit needs a whole number of rows, e.g. limit 100')
  return Number(token.text)
}

const OPERATORS: Record<string, string> = {
  '=': '_eq',
  '!=': '_neq',
  '<>': '_neq',
  '<': '_lt',
  '<=': '_lte',
  '>': '_gt',
  '>=': '_gte',
}

/** COL OP VALUE joined by `and` / `or` (`and` binds tighter); COL is null / is not null. */
function parseCondition(ctx: Context, cursor: Cursor): BoolExp {
  const groups: BoolExp[][] = [[]]
  for (;;) {
    groups[groups.length - 1].push(parseComparison(ctx, cursor))
    if (cursor.is('and')) cursor.next()
    else if (cursor.is('or')) {
      cursor.next()
      groups.push([])
    } else break
  }
  const conj = (terms: BoolExp[]): BoolExp => (terms.length === 1 ? terms[0] : {_and: terms})
  return groups.length === 1 ? conj(groups[0]) : {_or: groups.map(conj)}
}

function parseComparison(ctx: Context, cursor: Cursor): BoolExp {
  const column = cursor.next()
  if (!column || column.kind !== 'word')
    fail(ctx, column?.offset ?? cursor.end, 'expected a condition: COLUMN = VALUE, e.g. author_id = X-Hasura-User-Id')
  checkColumn(ctx, ctx.table, column.text, column.offset)
  if (cursor.is('is')) {
    cursor.next()
    const not = cursor.is('not')
    if (not) cursor.next()
    if (!cursor.is('null')) fail(ctx, cursor.offset, 'expected "null" after "is"')
    cursor.next()
    return {[column.text]: {_is_null: !not}}
  }
  const op = cursor.next()
  const operator = op && op.kind === 'punct' ? OPERATORS[op.text] : undefined
  if (!operator)
    fail(ctx, op?.offset ?? cursor.end, `expected a comparison after "${column.text}": =, !=, <, <=, > or >=`)
  const value = parseValue(ctx, cursor)
  if (value === null) {
    if (operator !== '_eq' && operator !== '_neq') fail(ctx, op!.offset, 'null compares only with = or !=')
    return {[column.text]: {_is_null: operator === '_eq'}}
  }
  return {[column.text]: {[operator]: value}}
}

/** X-Hasura-* session variables, numbers, true/false/null, or a 'quoted string'. */
function parseValue(ctx: Context, cursor: Cursor): unknown {
  const token = cursor.next()
  if (token?.kind === 'string') return token.text
  if (token?.kind === 'word') {
    if (/^x-hasura-[A-Za-z0-9_-]+$/i.test(token.text)) return token.text
    if (/^-?\d+(\.\d+)?$/.test(token.text)) return Number(token.text)
    if (token.text === 'true' || token.text === 'false') return token.text === 'true'
    if (token.text === 'null') return null
  }
  return fail(
    ctx,
    token?.offset ?? cursor.end,
    `expected a value${token ? ` instead of "${token.text}"` : ''}`,
    "a value is a session variable (X-Hasura-User-Id), a number, true, false, null or a 'quoted string'",
  )
}

function parseAssignments(ctx: Context, cursor: Cursor): Record<string, unknown> {
  const set: Record<string, unknown> = {}
  for (;;) {
    const column = cursor.next()
    if (!column || column.kind !== 'word')
      fail(ctx, column?.offset ?? cursor.end, 'expected COLUMN=VALUE after set, e.g. set author_id=X-Hasura-User-Id')
    checkColumn(ctx, ctx.table, column.text, column.offset)
    if (!cursor.is('=')) fail(ctx, cursor.offset, `expected "=" after "${column.text}"`)
    cursor.next()
    set[column.text] = parseValue(ctx, cursor)
    if (!cursor.is(',')) return set
    cursor.next()
  }
}

// ---------------------------------------------------------------------------------------------
// hasura:relationship NAME[:TABLE][FROM->TO] …   (array: TABLE.FROM references this table's TO)
// hasura:object-relationship NAME[:TABLE][FROM->TO] …   (object: this table's FROM references TABLE.TO)

const RELATIONSHIP = /^([^\s[:]+)(?::([^\s[]+))?\[([^\]]*)\]/

function parseRelationships(ctx: Context, from: number, kind: 'array' | 'object'): void {
  const text = ctx.comment.text
  let i = from
  let count = 0
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++
    if (i >= text.length) break
    const m = RELATIONSHIP.exec(text.slice(i))
    if (!m) {
      report(
        ctx,
        i,
        'expected NAME[column->column]',
        kind === 'array'
          ? "e.g. posts[author_id->id]: posts.author_id references this table's id"
          : "e.g. owner:users[owner_id->id]: this table's owner_id references users.id",
      )
      return
    }
    relationship(ctx, kind, m, i)
    count++
    i += m[0].length
  }
  if (count === 0)
    report(ctx, i, `hasura:${kind === 'array' ? 'relationship' : 'object-relationship'} needs NAME[column->column]`)
}

function relationship(ctx: Context, kind: 'array' | 'object', m: RegExpExecArray, offset: number): void {
  const [, name, tableText, mapping] = m
  if (!NAME.test(name))
    return report(
      ctx,
      offset,
      `invalid relationship name "${name}"`,
      'a GraphQL name: letters, digits and _, not starting with a digit',
    )
  const targetText = tableText ?? name
  const tableOffset = tableText ? offset + name.length + 1 : offset
  const dot = targetText.indexOf('.')
  const target: TableRef =
    dot === -1
      ? {schema: 'public', name: targetText}
      : {schema: targetText.slice(0, dot), name: targetText.slice(dot + 1)}
  const targetTable = ctx.tables.get(tableKey(target))
  if (!targetTable)
    return report(
      ctx,
      tableOffset,
      `relationship "${name}": no table ${shownTable(target)} in the schema`,
      tableText
        ? undefined
        : 'name the table after a colon when it differs from the relationship: NAME:TABLE[column->column]',
    )
  const mapOffset = offset + m[0].length - mapping.length - 1
  const arrow = mapping.indexOf('->')
  if (arrow === -1) return report(ctx, mapOffset, `relationship "${name}": expected [column->column]`)
  const split = (s: string) => s.split(',').map((c) => c.trim())
  const left = split(mapping.slice(0, arrow))
  const right = split(mapping.slice(arrow + 2))
  if (left.length !== right.length || left.includes('') || right.includes('')) {
    return report(ctx, mapOffset, `relationship "${name}": both sides of -> need the same number of columns`)
  }
  const [fromTable, toTable] = kind === 'array' ? [targetTable, ctx.table] : [ctx.table, targetTable]
  const okLeft = left.every((c) => checkColumn(ctx, fromTable, c, mapOffset + mapping.indexOf(c)))
  const okRight = right.every((c) =>
    checkColumn(ctx, toTable, c, mapOffset + arrow + 2 + mapping.slice(arrow + 2).indexOf(c)),
  )
  if (!okLeft || !okRight) return
  if (ctx.table.columns.some((c) => c.name === name))
    return report(
      ctx,
      offset,
      `relationship "${name}" has the name of a column of ${shownTable(ctx.table)}`,
      'Hasura needs distinct names: rename the relationship',
    )
  ctx.entry.relationships.push({
    kind,
    name,
    target,
    from: left,
    to: right,
    line: ctx.comment.line,
    column: ctx.comment.column + offset,
  })
}

// ---------------------------------------------------------------------------------------------
// hasura:computed NAME function(SCHEMA.FUNCTION)

const COMPUTED = /^\s+([^\s(]+)\s+function\(\s*([^)\s]*)\s*\)\s*$/

function parseComputed(ctx: Context, from: number): void {
  const m = COMPUTED.exec(ctx.comment.text.slice(from))
  if (!m)
    return report(
      ctx,
      from,
      'expected hasura:computed NAME function(schema.function)',
      'e.g. hasura:computed full_name function(public.user_full_name)',
    )
  const [, name, fnText] = m
  const nameOffset = from + m[0].indexOf(name)
  if (!NAME.test(name)) return report(ctx, nameOffset, `invalid computed field name "${name}"`)
  const parts = fnText.split('.')
  if (parts.length > 2 || !parts.every((p) => NAME.test(p)))
    return report(
      ctx,
      from + m[0].indexOf(fnText),
      `invalid function name "${fnText}"`,
      'write function(schema.name) or function(name) for public',
    )
  if (ctx.table.columns.some((c) => c.name === name))
    return report(ctx, nameOffset, `computed field "${name}" has the name of a column of ${shownTable(ctx.table)}`)
  const fn = parts.length === 2 ? {schema: parts[0], name: parts[1]} : {schema: 'public', name: parts[0]}
  ctx.entry.computed.push({name, fn, line: ctx.comment.line, column: ctx.comment.column + nameOffset})
}

/** Two permissions for one role and operation, or two fields with one name, on one table. */
function checkDuplicates(result: Annotations): void {
  for (const entry of result.tables.values()) {
    const seen = new Set<string>()
    for (const p of entry.permissions) {
      const key = `${p.role}:${p.operation}`
      if (seen.has(key))
        result.diagnostics.push(
          error(
            p,
            `role ${p.role} has two ${p.operation} permissions on this table`,
            'give each role one permission per operation',
          ),
        )
      seen.add(key)
    }
    const names = new Set<string>()
    for (const f of [...entry.relationships, ...entry.computed]) {
      if (names.has(f.name))
        result.diagnostics.push(
          error(
            f,
            `"${f.name}" is defined twice on this table`,
            'relationships and computed fields need distinct names',
          ),
        )
      names.add(f.name)
    }
  }
  result.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column)
}
