/**
 * Column changes of a table that exists before and after: add, drop, rename, and the alterations
 * (type, nullability, default, identity, note). They run after table renames, so they name the
 * table by its new name.
 */
import type {ColumnModel, ColumnType, DefaultValue, TableModel} from '../schema/model.js'
import * as sql from '../sql/ddl.js'
import {type Change, Phase} from './change.js'
import {type DiffContext, effectiveNotNull, newColumnName, tableKey} from './context.js'
import {makeChange, noteChange} from './make.js'
import {comparableTypeName, sameType, typeKey} from '../schema/types.js'
import {isWidening} from './types.js'
import {addSerial, baseType, dropSerial, renameSequence, sequenceName, serialKind} from './serial.js'

export function columnChanges(
  ctx: DiffContext,
  old: TableModel,
  table: TableModel,
  rebuiltEnumColumns: Set<string>,
): Change[] {
  const oldKey = tableKey(old)
  const changes: Change[] = []
  const matched = new Set<string>()
  for (const oc of old.columns) {
    const name = newColumnName(ctx, oldKey, oc.name)
    const nc = table.columns.find((c) => c.name === name)
    if (!nc) {
      changes.push(dropColumnChange(ctx, table, oc))
      continue
    }
    matched.add(name)
    if (name !== oc.name) changes.push(renameColumnChange(table, oc, name))
    const rebuilt = rebuiltEnumColumns.has(`${tableKey(table)}.${name}`)
    changes.push(...alterColumnChanges(ctx, {old, table, oc, nc, rebuilt}))
  }
  for (const nc of table.columns) if (!matched.has(nc.name)) changes.push(addColumnChange(ctx, table, nc))
  return changes
}

function columnObject(table: TableModel, column: string): string {
  return `${tableKey(table)}.${column}`
}

function commentStatement(table: TableModel, column: string, note: string | undefined): string {
  return sql.commentOn({kind: 'COLUMN', schema: table.schema, table: table.name, column}, note)
}

/** Serial types and identity columns fill themselves: NOT NULL without a default is fine for them. */
function fillsItself(column: ColumnModel): boolean {
  return (
    column.identity ||
    /serial/.test(column.type.name.toLowerCase()) ||
    (column.default !== undefined && column.default.kind !== 'null')
  )
}

function addColumnChange(ctx: DiffContext, table: TableModel, column: ColumnModel): Change {
  const up = [sql.addColumn(table, column, ctx.enums)]
  if (column.note !== undefined) up.push(commentStatement(table, column.name, column.note))
  const notNull = effectiveNotNull(table, column)
  return makeChange({
    kind: 'add_column',
    object: columnObject(table, column.name),
    summary: `add column ${columnObject(table, column.name)}`,
    phase: Phase.addColumn,
    up,
    reverse: [sql.dropColumn(table, column.name)],
    reverseDataLoss: `values of ${columnObject(table, column.name)}`,
    breaking:
      notNull && !fillsItself(column)
        ? `NOT NULL column ${columnObject(table, column.name)} added without a default (fails on a table with rows; inserts that omit it fail)`
        : undefined,
  })
}

function dropColumnChange(ctx: DiffContext, table: TableModel, column: ColumnModel): Change {
  const reverse = [sql.addColumn(table, column, ctx.enums)]
  if (column.note !== undefined) reverse.push(commentStatement(table, column.name, column.note))
  return makeChange({
    kind: 'drop_column',
    object: columnObject(table, column.name),
    summary: `drop column ${columnObject(table, column.name)}`,
    phase: Phase.dropColumn,
    up: [sql.dropColumn(table, column.name)],
    reverse,
    destructive: true,
    dataLoss: `values of ${columnObject(table, column.name)}`,
    breaking: `column ${columnObject(table, column.name)} dropped`,
  })
}

function renameColumnChange(table: TableModel, oc: ColumnModel, to: string): Change {
  const from = oc.name
  // A serial column's sequence follows its name, as it would be named when built from nothing.
  const seq = serialKind(oc.type) ? [sequenceName(table.name, from), sequenceName(table.name, to)] : undefined
  const renameSeq = (a: string, b: string): string[] => (seq && a !== b ? [renameSequence(table.schema, a, b)] : [])
  return makeChange({
    kind: 'rename_column',
    object: columnObject(table, from),
    summary: `rename column ${columnObject(table, from)} to ${to}`,
    phase: Phase.renameColumn,
    up: [sql.renameColumn(table, from, to), ...(seq ? renameSeq(seq[0], seq[1]) : [])],
    reverse: [sql.renameColumn(table, to, from), ...(seq ? renameSeq(seq[1], seq[0]) : [])],
    breaking: `column ${columnObject(table, from)} renamed to ${to} (queries using the old name fail)`,
  })
}

interface ColumnPair {
  old: TableModel
  table: TableModel
  oc: ColumnModel
  nc: ColumnModel
  /** Its enum type is rebuilt: the enum step already sets its default. */
  rebuilt: boolean
}

function sameDefault(a: DefaultValue | undefined, b: DefaultValue | undefined): boolean {
  const norm = (d: DefaultValue | undefined): string => (d === undefined || d.kind === 'null' ? '' : JSON.stringify(d))
  return norm(a) === norm(b)
}

/**
 * In an order PostgreSQL accepts: an identity is dropped before NOT NULL can be, and added only
 * once the column is NOT NULL.
 */
function alterColumnChanges(ctx: DiffContext, pair: ColumnPair): Change[] {
  const {oc, nc} = pair
  const changes: Change[] = []
  if (oc.identity && !nc.identity) changes.push(identityChange(pair, false))
  const typeChanged = !sameType(oc.type, nc.type)
  if (typeChanged) changes.push(typeChange(ctx, pair))
  const wasNotNull = effectiveNotNull(pair.old, oc)
  const isNotNull = effectiveNotNull(pair.table, nc)
  if (wasNotNull !== isNotNull) changes.push(nullabilityChange(pair, isNotNull))
  if (!typeChanged && !pair.rebuilt && !sameDefault(oc.default, nc.default)) changes.push(defaultChange(pair))
  if (!oc.identity && nc.identity) changes.push(identityChange(pair, true))
  if (oc.note !== nc.note) {
    const object = columnObject(pair.table, nc.name)
    const target = {kind: 'COLUMN' as const, schema: pair.table.schema, table: pair.table.name, column: nc.name}
    changes.push(noteChange(target, `column ${object}`, object, oc.note, nc.note))
  }
  return changes
}

const FAMILIES: Array<Set<string>> = [
  new Set(['character varying', 'text', 'character', 'citext', 'name']),
  new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']),
  new Set(['date', 'timestamp without time zone', 'timestamp with time zone']),
  new Set(['time without time zone', 'time with time zone']),
]

/**
 * PostgreSQL converts within these families by assignment cast (and fails loudly when a value does
 * not fit, e.g. varchar(10) → varchar(5)); anything else needs an explicit USING cast. An explicit
 * cast is avoided where it is not needed because it truncates silently (cast to varchar(5)).
 */
export function needsUsing(from: ColumnType, to: ColumnType): boolean {
  if (from.arrayDims !== to.arrayDims || from.schema || to.schema) return true
  const f = comparableTypeName(from.name)
  const t = comparableTypeName(to.name)
  return !FAMILIES.some((family) => family.has(f) && family.has(t))
}

function castClause(ctx: DiffContext, column: string, from: ColumnType, to: ColumnType): string | undefined {
  if (!needsUsing(from, to)) return undefined
  return sql.usingCast(column, to, ctx.enums, ctx.enums.has(sql.enumKeyOf(from)))
}

/**
 * ALTER COLUMN TYPE. The default is dropped first and set again after (PostgreSQL cannot always
 * cast a default to the new type), which is why the default of a retyped column is handled here.
 */
function typeChange(ctx: DiffContext, pair: ColumnPair): Change {
  const {table, oc, nc} = pair
  const widening = isWidening(baseType(oc.type), baseType(nc.type))
  // Serial types are an integer type plus a sequence: the type changes to the base type, and the
  // sequence and its default are created or dropped.
  const steps = (from: ColumnModel, to: ColumnModel): string[] => {
    const statements: string[] = []
    const [fromSerial, toSerial] = [serialKind(from.type), serialKind(to.type)]
    if (fromSerial) statements.push(...dropSerial(table, nc.name))
    else if (from.default && from.default.kind !== 'null') statements.push(sql.setDefault(table, nc.name, undefined))
    const [fromBase, toBase] = [baseType(from.type), baseType(to.type)]
    if (!sameType(fromBase, toBase))
      statements.push(
        sql.alterColumnType(table, nc.name, toBase, ctx.enums, castClause(ctx, nc.name, fromBase, toBase)),
      )
    if (toSerial) statements.push(...addSerial(table, nc.name, toSerial))
    else if (to.default && to.default.kind !== 'null') statements.push(sql.setDefault(table, nc.name, to.default))
    return statements
  }
  const object = columnObject(table, nc.name)
  return makeChange({
    kind: 'alter_column_type',
    object,
    summary: `change type of ${object} from ${typeKey(oc.type)} to ${typeKey(nc.type)}`,
    phase: Phase.alterColumn,
    up: steps(oc, nc),
    reverse: steps(nc, oc),
    destructive: !widening,
    dataLoss: widening ? undefined : `values of ${object} that do not convert to ${typeKey(nc.type)} make the up fail`,
    reverseDataLoss: isWidening(baseType(nc.type), baseType(oc.type))
      ? undefined
      : `values of ${object} that do not fit ${typeKey(oc.type)} make the down fail`,
    breaking: widening
      ? undefined
      : `column ${object}: type ${typeKey(oc.type)} → ${typeKey(nc.type)} is not a widening`,
  })
}

function nullabilityChange(pair: ColumnPair, notNull: boolean): Change {
  const {table, nc} = pair
  const object = columnObject(table, nc.name)
  return makeChange({
    kind: 'alter_column_nullability',
    object,
    summary: `${notNull ? 'set' : 'drop'} NOT NULL on ${object}`,
    phase: Phase.alterColumn,
    up: [sql.setNotNull(table, nc.name, notNull)],
    reverse: [sql.setNotNull(table, nc.name, !notNull)],
    breaking:
      notNull && !fillsItself(nc)
        ? `NOT NULL added to ${object} without a default (rows holding NULL make it fail; inserts that omit it fail)`
        : undefined,
  })
}

function defaultChange(pair: ColumnPair): Change {
  const {table, oc, nc} = pair
  const object = columnObject(table, nc.name)
  return makeChange({
    kind: 'alter_column_default',
    object,
    summary: `${nc.default && nc.default.kind !== 'null' ? 'set' : 'drop'} default of ${object}`,
    phase: Phase.alterColumn,
    up: [sql.setDefault(table, nc.name, nc.default)],
    reverse: [sql.setDefault(table, nc.name, oc.default)],
  })
}

function identityChange(pair: ColumnPair, identity: boolean): Change {
  const {table, nc} = pair
  const object = columnObject(table, nc.name)
  return makeChange({
    kind: 'alter_column_identity',
    object,
    summary: `${identity ? 'add' : 'drop'} identity on ${object}`,
    phase: Phase.alterColumn,
    up: [sql.setIdentity(table, nc.name, identity)],
    reverse: [sql.setIdentity(table, nc.name, !identity)],
  })
}
