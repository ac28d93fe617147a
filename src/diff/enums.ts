/**
 * Enum changes. PostgreSQL can add a value at any position (ADD VALUE … BEFORE/AFTER) and rename
 * one (RENAME VALUE), but cannot remove or reorder values. Strategy for those:
 *   1. ALTER TYPE e RENAME TO e__old; CREATE TYPE e AS ENUM (new values);
 *   2. every surviving column of type e: ALTER COLUMN … TYPE e USING col::text::e (its default
 *      is dropped first and set again after, because PostgreSQL cannot cast the default);
 *   3. DROP TYPE e__old at the very end, after columns and tables that still use it are dropped.
 * A row that still holds a removed value makes step 2 fail, so nothing is lost silently: update
 * those rows first (or rename the value with --rename enum.old=new).
 * ADD VALUE is marked non-transactional: a value added inside a transaction cannot be used
 * (as a default, in a row) before that transaction commits. IF NOT EXISTS makes it re-runnable.
 */
import type {ColumnModel, EnumModel} from '../schema/model.js'
import * as sql from '../sql/ddl.js'
import {quoteIdent, quoteQualified} from '@nself/sdk/sql'
import {type Change, Phase} from './change.js'
import {type DiffContext, mappedValues, newColumnName, newTableKey, tableKey} from './context.js'
import {makeChange, noteChange} from './make.js'

export function enumChanges(ctx: DiffContext): Change[] {
  const changes: Change[] = [...ctx.enumRenames].map(([oldKey, to]) => renameEnumChange(oldKey, to))
  for (const [key, e] of ctx.toEnums) {
    const old = ctx.fromEnums.get(key)
    if (!old) changes.push(createEnumChange(e))
    else changes.push(...alterEnumChanges(ctx, old, e))
  }
  for (const [key, e] of ctx.fromEnums) if (!ctx.toEnums.has(key)) changes.push(dropEnumChange(e))
  return changes
}

/** RENAME TO keeps the type's OID: columns, defaults and rows that use it follow without a rewrite. */
function renameEnumChange(oldKey: string, to: string): Change {
  const schema = oldKey.slice(0, oldKey.indexOf('.'))
  const from = oldKey.slice(oldKey.indexOf('.') + 1)
  return makeChange({
    kind: 'rename_enum',
    object: oldKey,
    summary: `rename enum ${oldKey} to ${to}`,
    phase: Phase.renameEnum,
    up: [sql.renameEnum(schema, from, to)],
    reverse: [sql.renameEnum(schema, to, from)],
    breaking: `enum ${oldKey} renamed to ${to} (SQL naming the old type fails)`,
  })
}

function createEnumChange(e: EnumModel): Change {
  const up = [sql.createEnum(e)]
  if (e.note !== undefined) up.push(sql.commentOn({kind: 'TYPE', schema: e.schema, name: e.name}, e.note))
  return makeChange({
    kind: 'create_enum',
    object: tableKey(e),
    summary: `create enum ${tableKey(e)}`,
    phase: Phase.createEnum,
    up,
    reverse: [sql.dropEnum(e.schema, e.name)],
  })
}

function dropEnumChange(e: EnumModel): Change {
  const reverse = [sql.createEnum(e)]
  if (e.note !== undefined) reverse.push(sql.commentOn({kind: 'TYPE', schema: e.schema, name: e.name}, e.note))
  return makeChange({
    kind: 'drop_enum',
    object: tableKey(e),
    summary: `drop enum ${tableKey(e)}`,
    phase: Phase.dropEnum,
    up: [sql.dropEnum(e.schema, e.name)],
    reverse,
  })
}

function alterEnumChanges(ctx: DiffContext, old: EnumModel, e: EnumModel): Change[] {
  const changes = valueRenameChanges(ctx, old)
  const current = mappedValues(ctx, old)
  if (isSubsequence(current, e.values)) changes.push(...addValueChanges(ctx, old, current, e))
  else changes.push(...recreateChanges(ctx, old, current, e))
  if (old.note !== e.note) {
    const target = {kind: 'TYPE' as const, schema: e.schema, name: e.name}
    changes.push(noteChange(target, `enum ${tableKey(e)}`, tableKey(e), old.note, e.note))
  }
  return changes
}

function valueRenameChanges(ctx: DiffContext, old: EnumModel): Change[] {
  const renames = ctx.enumValueRenames.get(tableKey(old))
  if (!renames) return []
  return [...renames].map(([from, to]) =>
    makeChange({
      kind: 'rename_enum_value',
      object: tableKey(old),
      summary: `rename value '${from}' of enum ${tableKey(old)} to '${to}'`,
      phase: Phase.renameEnumValue,
      up: [sql.renameEnumValue(old, from, to)],
      reverse: [sql.renameEnumValue(old, to, from)],
      breaking: `enum ${tableKey(old)}: value '${from}' renamed to '${to}' (clients sending '${from}' fail)`,
    }),
  )
}

function isSubsequence(values: string[], target: string[]): boolean {
  let i = 0
  for (const v of target) if (i < values.length && values[i] === v) i++
  return i === values.length
}

/** One ADD VALUE per new value, placed after its predecessor (or before the first old value). */
function addValueChanges(ctx: DiffContext, old: EnumModel, current: string[], e: EnumModel): Change[] {
  const existing = new Set(current)
  const changes: Change[] = []
  e.values.forEach((value, i) => {
    if (existing.has(value)) return
    const position = i > 0 ? {after: e.values[i - 1]} : {before: e.values.find((v) => existing.has(v))}
    const withoutValue = [...existing]
    existing.add(value)
    changes.push(
      makeChange({
        kind: 'add_enum_value',
        object: tableKey(e),
        summary: `add value '${value}' to enum ${tableKey(e)}`,
        phase: Phase.addEnumValue,
        up: [sql.addEnumValue(e, value, position).replace(' ADD VALUE ', ' ADD VALUE IF NOT EXISTS ')],
        // PostgreSQL cannot drop an enum value: the down rebuilds the type without it.
        reverse: rebuildEnumStatements(ctx, e, orderLike(withoutValue, e.values), columnsUsingEnum(ctx, old, 'old')),
        reverseDataLoss: `rows holding '${value}' in ${tableKey(e)} make the down fail`,
        transactional: false,
      }),
    )
  })
  return changes
}

function orderLike(values: string[], order: string[]): string[] {
  return order.filter((v) => values.includes(v))
}

interface EnumColumn {
  table: {schema: string; name: string}
  column: ColumnModel
}

/**
 * Old columns of type e, named as they are at the moment the enum step runs.
 * 'old': every old column under its old name (the down of ADD VALUE runs last, all undone);
 * 'from': every old column under its new name (the rebuild's down runs after drops are undone
 *         but before renames are);
 * 'surviving': old columns that still exist and keep the type (what the rebuild's up converts).
 */
function columnsUsingEnum(ctx: DiffContext, e: EnumModel, which: 'old' | 'from' | 'surviving'): EnumColumn[] {
  const result: EnumColumn[] = []
  for (const [oldKey, table] of ctx.fromTables) {
    if (which === 'old') {
      for (const column of table.columns) if (usesEnum(column, e)) result.push({table, column})
      continue
    }
    const newKey = newTableKey(ctx, oldKey)
    const newTable = ctx.toTables.get(newKey)
    for (const column of table.columns) {
      if (!usesEnum(column, e)) continue
      const name = newColumnName(ctx, oldKey, column.name)
      const target = newTable?.columns.find((c) => c.name === name)
      if (which === 'surviving' && (!target || !usesEnum(target, e))) continue
      const tableRef = {schema: table.schema, name: newKey.slice(newKey.indexOf('.') + 1)}
      // The up sets the new default; the down puts back the old column as it was.
      result.push({table: tableRef, column: {...(which === 'surviving' && target ? target : column), name}})
    }
  }
  return result
}

function usesEnum(column: ColumnModel, e: EnumModel): boolean {
  return column.type.name === e.name && (column.type.schema ?? 'public') === e.schema
}

function oldName(e: {name: string}): string {
  return `${e.name}__old`.slice(0, 63)
}

/**
 * Rename e away, create it with `values`, move `columns` over (defaults set again from
 * `defaults`), drop the old type. Used by the reverse of ADD VALUE, where nothing runs in between.
 */
function rebuildEnumStatements(ctx: DiffContext, e: EnumModel, values: string[], columns: EnumColumn[]): string[] {
  return [
    ...replaceEnumStatements(ctx, e, values, columns, (c) => c.column.default),
    sql.dropEnum(e.schema, oldName(e)),
  ]
}

function replaceEnumStatements(
  ctx: DiffContext,
  e: EnumModel,
  values: string[],
  columns: EnumColumn[],
  defaultOf: (c: EnumColumn) => ColumnModel['default'],
): string[] {
  const statements = [sql.renameEnum(e.schema, e.name, oldName(e)), sql.createEnum({...e, values})]
  for (const c of columns) statements.push(...moveColumnStatements(ctx, c, defaultOf(c)))
  return statements
}

function moveColumnStatements(ctx: DiffContext, c: EnumColumn, value: ColumnModel['default']): string[] {
  const using = sql.usingCast(c.column.name, c.column.type, ctx.enums, true)
  const statements = [
    sql.setDefault(c.table, c.column.name, undefined),
    sql.alterColumnType(c.table, c.column.name, c.column.type, ctx.enums, using),
  ]
  if (value && value.kind !== 'null') statements.push(sql.setDefault(c.table, c.column.name, value))
  return statements
}

/** Values removed or reordered: rebuild the type (see the strategy at the top of this file). */
function recreateChanges(ctx: DiffContext, old: EnumModel, current: string[], e: EnumModel): Change[] {
  const removed = current.filter((v) => !e.values.includes(v))
  const surviving = columnsUsingEnum(ctx, old, 'surviving')
  const all = columnsUsingEnum(ctx, old, 'from')
  // The down moves every old column back to the old type, named e__old until it is renamed back.
  const backToOld = [
    ...all.map((c) => sql.setDefault(c.table, c.column.name, undefined)),
    ...all.map((c) => alterToOldType(ctx, c, old)),
    sql.dropEnum(e.schema, e.name),
    sql.renameEnum(e.schema, oldName(e), e.name),
    ...all.flatMap((c) => {
      const value = c.column.default
      return value && value.kind !== 'null' ? [sql.setDefault(c.table, c.column.name, value)] : []
    }),
  ]
  const what = removed.length > 0 ? `remove ${removed.map((v) => `'${v}'`).join(', ')} from` : 'reorder values of'
  return [
    makeChange({
      kind: 'recreate_enum',
      object: tableKey(e),
      summary: `${what} enum ${tableKey(e)} (rebuild the type)`,
      phase: Phase.recreateEnum,
      up: replaceEnumStatements(ctx, e, e.values, surviving, (c) => c.column.default),
      reverse: backToOld,
      destructive: removed.length > 0,
      dataLoss:
        removed.length > 0 ? `rows holding ${removed.join(', ')} make the up fail (update them first)` : undefined,
      breaking: removed.length > 0 ? `enum ${tableKey(e)}: values ${removed.join(', ')} removed` : undefined,
    }),
    makeChange({
      kind: 'drop_enum',
      object: `${e.schema}.${oldName(e)}`,
      summary: `drop the replaced enum ${e.schema}.${oldName(e)}`,
      phase: Phase.dropEnum,
      up: [sql.dropEnum(e.schema, oldName(e))],
      reverse: [sql.createEnum({schema: e.schema, name: oldName(e), values: current})],
    }),
  ]
}

function alterToOldType(ctx: DiffContext, c: EnumColumn, old: EnumModel): string {
  const type = {...c.column.type, name: oldName(old), schema: old.schema}
  const using = `${quoteIdent(c.column.name)}::text${'[]'.repeat(type.arrayDims)}::${quoteQualified(old.schema, oldName(old))}${'[]'.repeat(type.arrayDims)}`
  return sql.alterColumnType(c.table, c.column.name, type, ctx.enums, using)
}

/** Columns whose default the enum rebuild already sets: the column diff leaves their default alone. */
export function columnsWithRebuiltEnum(ctx: DiffContext): Set<string> {
  const keys = new Set<string>()
  for (const [key, e] of ctx.toEnums) {
    const old = ctx.fromEnums.get(key)
    if (!old || isSubsequence(mappedValues(ctx, old), e.values)) continue
    for (const c of columnsUsingEnum(ctx, old, 'surviving')) keys.add(`${tableKey(c.table)}.${c.column.name}`)
  }
  return keys
}
