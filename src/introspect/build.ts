/**
 * Catalog rows → nself's schema model, in the order the DBML parser gives (tables and enums by
 * schema and name, columns by position, constraints and indexes by name), with PostgreSQL's own
 * names kept. What the model cannot hold becomes an extra (see ./extras.ts): either the whole object,
 * or, where DBML can say something close (a deferrable foreign key, a column with a collation), the
 * close thing in the model plus the statement that makes a new database exact.
 */
import picomatch from 'picomatch'
import type {
  CheckModel,
  ColumnModel,
  ColumnType,
  EnumModel,
  ForeignKeyModel,
  IndexModel,
  ReferentialAction,
  SchemaModel,
  TableModel,
  UniqueModel,
} from '../schema/model.js'
import {MODEL_VERSION} from '../schema/model.js'
import {canonicalTypeName} from '../schema/types.js'
import {quoteQualified as qualify, quoteIdent, quoteLiteral} from '@nself/sdk/sql'
import type {CatalogRows, ColumnRow, ConstraintRow, IndexRow, RelationRow, SequenceRow} from './queries.js'
import {SERIAL_OF, arrayDims, builtinType, nextvalTarget, pgIdent, readDefault, serialSequenceName} from './sqltext.js'
import {collectExtras} from './extras.js'
import type {Extra, Introspection, IntrospectOptions} from './types.js'

export const PLATFORM_SCHEMAS = ['auth', 'storage', 'hdb_catalog']

const ACTIONS: Record<string, ReferentialAction | undefined> = {
  a: undefined,
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
}
/** Index methods DBML's `type:` setting names. */
const METHODS = new Set(['btree', 'hash', 'gin', 'gist', 'brin', 'spgist'])

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const byName = (a: {name: string}, b: {name: string}): number => cmp(a.name, b.name)

interface Ctx {
  rows: CatalogRows
  relations: Map<string, RelationRow>
  /** Tables that go into the model, by oid. */
  tables: Map<string, TableModel>
  columns: Map<string, ColumnRow[]>
  extras: Extra[]
  dbmlComments: Map<string, string[]>
  rawDefaults: Map<string, string>
  /** Sequences a column default turned into a serial type (their own extras are not needed). */
  serialSequences: Set<string>
}

export function buildIntrospection(rows: CatalogRows, options: IntrospectOptions = {}): Introspection {
  const excluded = tableFilter(options)
  const ctx: Ctx = {
    rows,
    relations: new Map(rows.relations.map((r) => [r.oid, r])),
    tables: new Map(),
    columns: groupBy(rows.columns, (c) => c.rel),
    extras: [],
    dbmlComments: new Map(),
    rawDefaults: new Map(),
    serialSequences: new Set(),
  }
  for (const rel of rows.relations) {
    if (rel.kind !== 'r' && rel.kind !== 'p') continue
    if (excluded(rel.schema, rel.name)) continue
    if (rel.is_partition) {
      ctx.extras.push(partitionExtra(rel))
      continue
    }
    ctx.tables.set(rel.oid, tableFrom(ctx, rel))
  }
  addConstraints(ctx)
  addIndexes(ctx)
  const enums = rows.types
    .filter((t) => t.kind === 'e')
    .map((t): EnumModel => ({schema: t.schema, name: t.name, values: t.labels ?? []}))
  const tables = [...ctx.tables.values()]
    .map(finishTable)
    .sort((a, b) => cmp(a.schema, b.schema) || cmp(a.name, b.name))
  const schemas = [...new Set(['public', ...tables.map((t) => t.schema), ...enums.map((e) => e.schema)])].sort()
  const model: SchemaModel = {version: MODEL_VERSION, schemas, enums, tables, tableGroups: []}
  ctx.extras.push(
    ...collectExtras(rows, {
      tables: ctx.tables,
      excludedTable: excluded,
      schemas,
      serialSequences: ctx.serialSequences,
    }),
  )
  return {
    model,
    extras: ctx.extras,
    dbmlComments: ctx.dbmlComments,
    rawDefaults: ctx.rawDefaults,
    tableCount: tables.length,
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = map.get(k)
    if (list) list.push(item)
    else map.set(k, [item])
  }
  return map
}

/** True for tables left out: --exclude-table patterns and nself's own tables. */
function tableFilter(options: IntrospectOptions): (schema: string, table: string) => boolean {
  const patterns = options.excludeTables ?? []
  const match = patterns.length > 0 ? picomatch(patterns, {dot: true}) : () => false
  const own = new Set(options.ownTables ?? [])
  return (schema, table) => own.has(`${schema}.${table}`) || match(table) || match(`${schema}.${table}`)
}

const tableKey = (t: {schema: string; name: string}): string => `${t.schema}.${t.name}`

function tableFrom(ctx: Ctx, rel: RelationRow): TableModel {
  const table: TableModel = {
    schema: rel.schema,
    name: rel.name,
    columns: [],
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
  }
  if (rel.comment !== null) table.note = rel.comment
  const target = qualify(rel.schema, rel.name)
  if (rel.partition_key) {
    ctx.dbmlComments.set(tableKey(table), [
      `partitioned in the database: PARTITION BY ${rel.partition_key} (DBML declares it as a plain table)`,
    ])
    ctx.extras.push({
      kind: 'table',
      object: tableKey(table),
      reason: `partitioned (PARTITION BY ${rel.partition_key}): DBML declares it as a plain table`,
      phase: 'after',
      sql: [],
      manual: true,
    })
  }
  if (rel.parents?.length) {
    ctx.extras.push({
      kind: 'table',
      object: tableKey(table),
      reason: `inherits from ${rel.parents.join(', ')}: DBML has no inheritance`,
      phase: 'after',
      sql: [],
      manual: true,
    })
  }
  if (rel.persistence === 'u') {
    ctx.extras.push({
      kind: 'table',
      object: tableKey(table),
      reason: 'UNLOGGED: DBML declares a logged table',
      phase: 'after',
      sql: [`ALTER TABLE ${target} SET UNLOGGED`],
    })
  }
  table.columns = (ctx.columns.get(rel.oid) ?? []).map((c) => columnFrom(ctx, rel, c))
  return table
}

function columnFrom(ctx: Ctx, rel: RelationRow, row: ColumnRow): ColumnModel {
  const object = `${rel.schema}.${rel.name}.${row.name}`
  const target = `${qualify(rel.schema, rel.name)}`
  const col = quoteIdent(row.name)
  const column: ColumnModel = {
    name: row.name,
    type: columnType(ctx, object, target, row),
    notNull: row.not_null,
    identity: row.identity !== '',
  }
  if (row.comment !== null) column.note = row.comment
  if (row.identity === 'a') {
    ctx.extras.push({
      kind: 'column',
      object,
      reason: 'GENERATED ALWAYS AS IDENTITY: DBML [increment] is BY DEFAULT',
      phase: 'after',
      sql: [`ALTER TABLE ${target} ALTER COLUMN ${col} SET GENERATED ALWAYS`],
    })
  }
  if (row.collation !== null) {
    ctx.extras.push({
      kind: 'column',
      object,
      reason: `COLLATE ${row.collation}: DBML has no collations`,
      phase: 'after',
      sql: [`ALTER TABLE ${target} ALTER COLUMN ${col} TYPE ${row.type} COLLATE ${row.collation}`],
    })
  }
  if (row.generated === 's') {
    ctx.extras.push({
      kind: 'column',
      object,
      reason: `generated column (GENERATED ALWAYS AS (${row.default}) STORED): DBML declares a plain column`,
      phase: 'after',
      sql: [
        `ALTER TABLE ${target} DROP COLUMN ${col}`,
        `ALTER TABLE ${target} ADD COLUMN ${col} ${row.type} GENERATED ALWAYS AS (${row.default}) STORED${row.not_null ? ' NOT NULL' : ''}`,
      ],
    })
    return column
  }
  if (row.default !== null && !column.identity) setDefault(ctx, rel, row, column, object)
  return column
}

function columnType(ctx: Ctx, object: string, target: string, row: ColumnRow): ColumnType {
  const dims = arrayDims(row.type)
  if (row.base_kind === 'e')
    return {
      name: row.base_name,
      ...(row.base_schema === 'public' ? {} : {schema: row.base_schema}),
      args: [],
      arrayDims: dims,
    }
  if (row.base_kind === 'd' && row.domain_base) {
    const base = builtinType(row.domain_base)
    ctx.extras.push({
      kind: 'column',
      object,
      reason: `type is the domain ${row.base_schema}.${row.base_name}: DBML declares its base type ${row.domain_base}`,
      phase: 'after',
      sql: [`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(row.name)} TYPE ${row.type}`],
    })
    return {...base, arrayDims: base.arrayDims + dims}
  }
  if (row.base_schema !== 'pg_catalog') {
    // An extension's type (citext, vector, geometry): by its own name, whatever schema holds it.
    const args =
      /\(([^()]*)\)/
        .exec(row.type)?.[1]
        .split(',')
        .map((a) => a.trim()) ?? []
    return {name: row.base_name, args, arrayDims: dims}
  }
  return builtinType(row.type)
}

/** serial when the default draws from the sequence a serial column would have made; else a DBML default. */
function setDefault(ctx: Ctx, rel: RelationRow, row: ColumnRow, column: ColumnModel, object: string): void {
  const sequence = serialSequence(ctx, rel, row, column.type)
  if (sequence) {
    column.type = {name: SERIAL_OF[canonicalTypeName(column.type.name) ?? ''], args: [], arrayDims: 0}
    ctx.serialSequences.add(sequence.oid)
    if (sequence.owner_rel === null) {
      ctx.extras.push({
        kind: 'sequence',
        object: `${sequence.schema}.${sequence.name}`,
        reason: `owned by nothing: declared as the serial of ${object} (a new database gets it OWNED BY the column)`,
        phase: 'after',
        sql: [],
      })
    }
    return
  }
  const value = readDefault(row.default)
  if (!value) return
  if (value.kind === 'expression' && value.sql.includes('`')) {
    ctx.extras.push({
      kind: 'column',
      object,
      reason: 'default contains a backtick, which DBML cannot quote',
      phase: 'after',
      sql: [
        `ALTER TABLE ${qualify(rel.schema, rel.name)} ALTER COLUMN ${quoteIdent(row.name)} SET DEFAULT ${row.default}`,
      ],
    })
    return
  }
  column.default = value
  ctx.rawDefaults.set(object, row.default ?? '')
}

function serialSequence(ctx: Ctx, rel: RelationRow, row: ColumnRow, type: ColumnType): SequenceRow | undefined {
  const target = nextvalTarget(row.default)
  const base = canonicalTypeName(type.name)
  if (!target || type.arrayDims > 0 || !base || !SERIAL_OF[base]) return undefined
  const expected = serialSequenceName(rel.name, row.name)
  const sequence = ctx.rows.sequences.find(
    (s) =>
      s.schema === rel.schema &&
      s.name === expected &&
      (target === pgIdent(s.name) || target === `${pgIdent(s.schema)}.${pgIdent(s.name)}`),
  )
  if (!sequence) return undefined
  const ownedHere = sequence.owner_rel === rel.oid && sequence.owner_column === row.num && sequence.dependency === 'a'
  return ownedHere || sequence.owner_rel === null ? sequence : undefined
}

// ---------------------------------------------------------------------------------------------
// Constraints

function names(ctx: Ctx, rel: string, nums: number[] | null): string[] {
  const columns = ctx.columns.get(rel) ?? []
  return (nums ?? []).map((n) => columns.find((c) => c.num === n)?.name ?? `#${n}`)
}

function addConstraints(ctx: Ctx): void {
  const indexByOid = new Map(ctx.rows.indexes.map((i) => [i.oid, i]))
  for (const con of ctx.rows.constraints) {
    const table = ctx.tables.get(con.rel)
    if (!table) continue
    const object = `${table.schema}.${table.name}.${con.name}`
    const target = qualify(table.schema, table.name)
    if (con.comment !== null) {
      ctx.extras.push({
        kind: 'comment',
        object,
        reason: 'comment on a constraint: DBML has no notes on constraints',
        phase: 'after',
        sql: [`COMMENT ON CONSTRAINT ${quoteIdent(con.name)} ON ${target} IS ${quoteLiteral(con.comment)}`],
      })
    }
    const recreate = [
      `ALTER TABLE ${target} DROP CONSTRAINT ${quoteIdent(con.name)}`,
      `ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(con.name)} ${con.definition}`,
    ]
    switch (con.type) {
      case 'p':
        table.primaryKey = {name: con.name, columns: names(ctx, con.rel, con.columns)}
        if (con.deferrable || / INCLUDE /.test(con.definition)) {
          ctx.extras.push({
            kind: 'constraint',
            object,
            reason: `${con.definition}: DBML declares a plain primary key`,
            phase: 'after',
            sql: [],
            manual: true,
          })
        }
        break
      case 'u': {
        table.uniques.push({name: con.name, columns: names(ctx, con.rel, con.columns)})
        const index = indexByOid.get(con.index)
        if (con.deferrable || index?.nulls_not_distinct || / INCLUDE /.test(con.definition)) {
          ctx.extras.push({
            kind: 'constraint',
            object,
            reason: `${con.definition}: DBML declares a plain unique constraint`,
            phase: 'after',
            sql: recreate,
          })
        }
        break
      }
      case 'c':
        if (!con.is_local) break
        addCheck(ctx, table, con, object, recreate)
        break
      case 'f':
        addForeignKey(ctx, table, con, object)
        break
      default:
        ctx.extras.push({
          kind: 'constraint',
          object,
          reason: `${con.definition}: DBML has no ${con.type === 'x' ? 'exclusion ' : ''}constraints of this kind`,
          phase: 'after',
          sql: [recreate[1]],
        })
    }
  }
}

function addCheck(ctx: Ctx, table: TableModel, con: ConstraintRow, object: string, recreate: string[]): void {
  const expression = con.expression ?? ''
  if (expression.includes('`')) {
    ctx.extras.push({
      kind: 'constraint',
      object,
      reason: 'check contains a backtick, which DBML cannot quote',
      phase: 'after',
      sql: [recreate[1]],
    })
    return
  }
  const check: CheckModel = {name: con.name, expression}
  table.checks.push(check)
  if (!con.validated || con.no_inherit) {
    ctx.extras.push({
      kind: 'constraint',
      object,
      reason: `${con.definition}: DBML declares a plain check`,
      phase: 'after',
      sql: recreate,
    })
  }
}

function addForeignKey(ctx: Ctx, table: TableModel, con: ConstraintRow, object: string): void {
  const target = qualify(table.schema, table.name)
  const ref = ctx.tables.get(con.ref_rel)
  if (!ref) {
    const refRel = ctx.relations.get(con.ref_rel)
    const where = refRel ? `${refRel.schema}.${refRel.name}` : 'a table outside the schemas read'
    ctx.extras.push({
      kind: 'constraint',
      object,
      reason: `foreign key to ${where}, which is not in the DBML`,
      phase: 'after',
      sql: [`ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(con.name)} ${con.definition}`],
    })
    return
  }
  const fk: ForeignKeyModel = {
    name: con.name,
    columns: names(ctx, con.rel, con.columns),
    refSchema: ref.schema,
    refTable: ref.name,
    refColumns: names(ctx, con.ref_rel, con.ref_columns),
  }
  const onDelete = ACTIONS[con.on_delete]
  const onUpdate = ACTIONS[con.on_update]
  if (onDelete) fk.onDelete = onDelete
  if (onUpdate) fk.onUpdate = onUpdate
  table.foreignKeys.push(fk)
  const sql: string[] = []
  const reasons: string[] = []
  if (con.match !== 's' || /SET (NULL|DEFAULT) \(/.test(con.definition)) {
    reasons.push(con.definition)
    sql.push(
      `ALTER TABLE ${target} DROP CONSTRAINT ${quoteIdent(con.name)}`,
      `ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(con.name)} ${con.definition}`,
    )
  } else if (con.deferrable) {
    reasons.push(`DEFERRABLE INITIALLY ${con.deferred ? 'DEFERRED' : 'IMMEDIATE'}`)
    sql.push(
      `ALTER TABLE ${target} ALTER CONSTRAINT ${quoteIdent(con.name)} DEFERRABLE INITIALLY ${con.deferred ? 'DEFERRED' : 'IMMEDIATE'}`,
    )
  }
  if (!con.validated) reasons.push('NOT VALID')
  if (reasons.length > 0)
    ctx.extras.push({
      kind: 'constraint',
      object,
      reason: `${reasons.join(', ')}: DBML declares a plain foreign key`,
      phase: 'after',
      sql,
    })
}

// ---------------------------------------------------------------------------------------------
// Indexes

function addIndexes(ctx: Ctx): void {
  for (const index of ctx.rows.indexes) {
    const table = ctx.tables.get(index.rel)
    if (!table || index.backs_constraint) continue
    const object = `${table.schema}.${index.name}`
    const sql = [index.definition]
    if (index.comment !== null)
      sql.push(`COMMENT ON INDEX ${qualify(table.schema, index.name)} IS ${quoteLiteral(index.comment)}`)
    const problem = indexProblem(index)
    if (problem) {
      ctx.extras.push({kind: 'index', object, reason: `${problem}: DBML cannot express it`, phase: 'after', sql})
      continue
    }
    const parts: IndexModel['parts'] = index.keys
      .slice(0, index.key_count)
      .map((key, i) =>
        key === 0 ? {kind: 'expression', sql: index.parts[i]} : {kind: 'column', name: names(ctx, index.rel, [key])[0]},
      )
    const columnsOnly = parts.every((p) => p.kind === 'column')
    const columns = parts.map((p) => (p.kind === 'column' ? p.name : ''))
    if (index.unique && columnsOnly && index.method === 'btree') {
      // DBML's `(a, b) [unique]` is a unique constraint: the closest thing, fixed up by the extras.
      if (isKey(table, columns)) {
        ctx.extras.push({
          kind: 'index',
          object,
          reason: 'unique index on the columns of a key that already exists',
          phase: 'after',
          sql,
        })
        continue
      }
      table.uniques.push({name: index.name, columns} satisfies UniqueModel)
      ctx.extras.push({
        kind: 'index',
        object,
        reason: 'unique index: DBML declares a unique constraint (same index, plus a constraint)',
        phase: 'after',
        sql: uniqueIndexFixup(ctx, table, index, sql),
      })
      continue
    }
    const model: IndexModel = {name: index.name, parts, unique: index.unique}
    if (index.method !== 'btree') model.method = index.method
    if (table.indexes.some((i) => sameShape(i, model))) {
      ctx.extras.push({
        kind: 'index',
        object,
        reason: 'same columns and method as another index (DBML keeps one)',
        phase: 'after',
        sql,
      })
      continue
    }
    if (index.comment !== null) model.note = index.comment
    table.indexes.push(model)
  }
}

/**
 * Turns the unique constraint the DBML makes back into a plain unique index. Foreign keys that
 * use it are dropped first and added again after, since PostgreSQL will not drop it under them.
 */
function uniqueIndexFixup(ctx: Ctx, table: TableModel, index: IndexRow, create: string[]): string[] {
  const keys = index.keys.slice(0, index.key_count).join(',')
  const users = ctx.rows.constraints.filter(
    (c) =>
      c.type === 'f' && c.ref_rel === index.rel && (c.ref_columns ?? []).join(',') === keys && ctx.tables.has(c.rel),
  )
  const on = (c: ConstraintRow): string => {
    const t = ctx.tables.get(c.rel)!
    return `ALTER TABLE ${qualify(t.schema, t.name)}`
  }
  return [
    ...users.map((c) => `${on(c)} DROP CONSTRAINT ${quoteIdent(c.name)}`),
    `ALTER TABLE ${qualify(table.schema, table.name)} DROP CONSTRAINT ${quoteIdent(index.name)}`,
    ...create,
    ...users.map((c) => `${on(c)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`),
  ]
}

function indexProblem(index: IndexRow): string | undefined {
  if (!index.valid) return 'invalid (a failed CREATE INDEX CONCURRENTLY)'
  if (index.predicate !== null) return `partial (WHERE ${index.predicate})`
  if (index.count !== index.key_count) return 'has INCLUDE columns'
  if (index.options.some((o) => o !== 0)) return 'has a sort order (DESC or NULLS FIRST/LAST)'
  if (index.default_opclasses === false) return 'uses a non-default operator class'
  if (index.default_collations === false) return 'uses a collation'
  if (index.nulls_not_distinct) return 'NULLS NOT DISTINCT'
  if (!METHODS.has(index.method)) return `uses the ${index.method} method`
  if (index.parts.some((p) => p.includes('`'))) return 'an expression contains a backtick'
  return undefined
}

const sameColumns = (a: string[], b: string[]): boolean => a.length === b.length && a.every((c, i) => c === b[i])

function isKey(table: TableModel, columns: string[]): boolean {
  if (table.primaryKey && sameColumns(table.primaryKey.columns, columns)) return true
  return table.uniques.some((u) => sameColumns(u.columns, columns))
}

function sameShape(a: IndexModel, b: IndexModel): boolean {
  return (
    a.unique === b.unique &&
    (a.method ?? 'btree') === (b.method ?? 'btree') &&
    JSON.stringify(a.parts) === JSON.stringify(b.parts)
  )
}

// ---------------------------------------------------------------------------------------------

function partitionExtra(rel: RelationRow): Extra {
  const parent = rel.parents?.[0] ?? '?'
  return {
    kind: 'partition',
    object: `${rel.schema}.${rel.name}`,
    reason: `partition of ${parent} (${rel.partition_bound}): DBML has no partitions`,
    phase: 'after',
    sql: [`CREATE TABLE ${qualify(rel.schema, rel.name)} PARTITION OF ${parent} ${rel.partition_bound}`],
    manual: true,
  }
}

/** Name order for everything whose order means nothing, as the DBML parser sorts. */
function finishTable(table: TableModel): TableModel {
  table.uniques.sort(byName)
  table.indexes.sort(byName)
  table.foreignKeys.sort(byName)
  table.checks.sort(byName)
  for (const fk of table.foreignKeys) {
    fk.relation = isKey(table, fk.columns) ? 'one-to-one' : 'many-to-one'
  }
  return table
}
