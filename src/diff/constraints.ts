/**
 * Matching of named things (primary key, uniques, checks, indexes, foreign keys) between the old
 * and the new version of a table. Each is compared through a definition key in which old column
 * and table names are already mapped to their new names, so a rename alone changes nothing, and a
 * renamed constraint with an unchanged definition becomes RENAME CONSTRAINT, not drop + add.
 */
import type {ForeignKeyModel, IndexModel, TableModel} from '../schema/model.js'
import {type DiffContext, newColumnName, newTableKey} from './context.js'

export interface Match<T> {
  same: Array<[T, T]>
  renamed: Array<[T, T]>
  dropped: T[]
  added: T[]
}

/** Pair old and new items: same name and definition, same definition under a new name, or neither. */
export function matchItems<T extends {name: string}>(
  oldItems: T[],
  newItems: T[],
  oldDef: (item: T) => string,
  newDef: (item: T) => string,
): Match<T> {
  const result: Match<T> = {same: [], renamed: [], dropped: [], added: []}
  const newByName = new Map(newItems.map((i) => [i.name, i]))
  const leftNew = new Set(newItems)
  const leftOld: T[] = []
  for (const o of oldItems) {
    const n = newByName.get(o.name)
    if (n && oldDef(o) === newDef(n)) {
      result.same.push([o, n])
      leftNew.delete(n)
    } else leftOld.push(o)
  }
  for (const o of leftOld) {
    const def = oldDef(o)
    const n = [...leftNew].find((candidate) => newDef(candidate) === def && candidate.name !== o.name)
    if (n) {
      result.renamed.push([o, n])
      leftNew.delete(n)
    } else result.dropped.push(o)
  }
  result.added = [...leftNew]
  return result
}

export type ColumnMapper = (column: string) => string

export function columnMapper(ctx: DiffContext, oldTableKey: string | undefined): ColumnMapper {
  if (oldTableKey === undefined) return (c) => c
  return (c) => newColumnName(ctx, oldTableKey, c)
}

const identity: ColumnMapper = (c) => c

export function pkDef(columns: string[], map: ColumnMapper = identity): string {
  return `pk(${columns.map(map).join(',')})`
}

export function uniqueDef(columns: string[], map: ColumnMapper = identity): string {
  return `unique(${columns.map(map).join(',')})`
}

export function checkDef(expression: string): string {
  return `check(${expression.replace(/\s+/g, ' ').trim()})`
}

export function indexDef(index: IndexModel, map: ColumnMapper = identity): string {
  const parts = index.parts.map((p) => (p.kind === 'column' ? `c:${map(p.name)}` : `e:${p.sql.trim()}`))
  return `index(${index.unique ? 'unique ' : ''}${index.method ?? 'btree'}:${parts.join(',')})`
}

/** A foreign key's definition with every old name (own columns, target table and columns) mapped. */
export function fkDef(ctx: DiffContext | undefined, fk: ForeignKeyModel, map: ColumnMapper = identity): string {
  let ref = `${fk.refSchema}.${fk.refTable}`
  let refColumns = fk.refColumns
  if (ctx) {
    const refMap = columnMapper(ctx, ref)
    refColumns = refColumns.map(refMap)
    ref = newTableKey(ctx, ref)
  }
  const actions = `${fk.onDelete ?? 'NO ACTION'}/${fk.onUpdate ?? 'NO ACTION'}`
  return `fk(${fk.columns.map(map).join(',')})->${ref}(${refColumns.join(',')}) ${actions}`
}

/** Key sets ("schema.table|a,b") a foreign key can point at: primary key, uniques, unique indexes. */
export function referenceableKeys(table: TableModel, key: string, map: ColumnMapper = identity): string[] {
  const keys: string[] = []
  if (table.primaryKey) keys.push(`${key}|${table.primaryKey.columns.map(map).join(',')}`)
  for (const u of table.uniques) keys.push(`${key}|${u.columns.map(map).join(',')}`)
  for (const i of table.indexes) {
    if (i.unique && i.parts.every((p) => p.kind === 'column')) {
      keys.push(`${key}|${i.parts.map((p) => map((p as {name: string}).name)).join(',')}`)
    }
  }
  return keys
}
