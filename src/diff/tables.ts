/**
 * Table-level changes: create, drop, rename, and the constraints, indexes and foreign keys of each.
 * Drops of constraints use the old table name (they run before renames), adds use the new one.
 */
import type {ForeignKeyModel, IndexModel, TableModel} from '../schema/model.js'
import * as sql from '../sql/ddl.js'
import {type Change, Phase} from './change.js'
import {columnChanges} from './columns.js'
import {
  type ColumnMapper,
  checkDef,
  columnMapper,
  fkDef,
  indexDef,
  matchItems,
  pkDef,
  referenceableKeys,
  uniqueDef,
} from './constraints.js'
import {type DiffContext, newTableKey, oldTableKey, tableKey} from './context.js'
import {makeChange, noteChange} from './make.js'
import {renameSequence, sequenceName, serialKind} from './serial.js'

export function tableChanges(ctx: DiffContext, rebuiltEnumColumns: Set<string>): Change[] {
  const changes: Change[] = []
  const droppedKeys = droppedReferencedKeys(ctx)
  for (const [key, table] of ctx.toTables) {
    const oldKey = oldTableKey(ctx, key)
    if (oldKey === undefined) changes.push(...createTableChanges(ctx, table))
    else changes.push(...alterTableChanges(ctx, ctx.fromTables.get(oldKey)!, table, droppedKeys, rebuiltEnumColumns))
  }
  for (const [key, table] of ctx.fromTables) {
    if (!ctx.toTables.has(newTableKey(ctx, key))) changes.push(...dropTableChanges(ctx, table))
  }
  return changes
}

/** The statements that create a table with its comments and indexes (not its foreign keys). */
function createTableStatements(ctx: DiffContext, table: TableModel): string[] {
  const statements = [sql.createTable(table, ctx.enums), ...tableComments(table)]
  for (const index of table.indexes) statements.push(...indexStatements(table, index, false))
  return statements
}

function tableComments(table: TableModel): string[] {
  const statements: string[] = []
  const ref = {schema: table.schema, table: table.name}
  if (table.note !== undefined) statements.push(sql.commentOn({kind: 'TABLE', ...ref}, table.note))
  for (const c of table.columns) {
    if (c.note !== undefined) statements.push(sql.commentOn({kind: 'COLUMN', ...ref, column: c.name}, c.note))
  }
  return statements
}

function indexStatements(table: TableModel, index: IndexModel, concurrently: boolean): string[] {
  const statements = [sql.createIndex(table, index, concurrently)]
  if (index.note !== undefined) {
    statements.push(sql.commentOn({kind: 'INDEX', schema: table.schema, name: index.name}, index.note))
  }
  return statements
}

function createTableChanges(ctx: DiffContext, table: TableModel): Change[] {
  const key = tableKey(table)
  const changes = [
    makeChange({
      kind: 'create_table',
      object: key,
      summary: `create table ${key}`,
      phase: Phase.createTable,
      up: [sql.createTable(table, ctx.enums), ...tableComments(table)],
      reverse: [sql.dropTable(table)],
      reverseDataLoss: `rows of ${key}`,
    }),
  ]
  // A new table is empty: its indexes are built inside the transaction, no CONCURRENTLY needed.
  for (const index of table.indexes) changes.push(createIndexChange(table, index, false))
  for (const fk of table.foreignKeys) changes.push(addForeignKeyChange(table, fk))
  return changes
}

function dropTableChanges(ctx: DiffContext, table: TableModel): Change[] {
  const key = tableKey(table)
  const changes = table.foreignKeys.map((fk) => dropForeignKeyChange(table, fk))
  changes.push(
    makeChange({
      kind: 'drop_table',
      object: key,
      summary: `drop table ${key}`,
      phase: Phase.dropTable,
      up: [sql.dropTable(table)],
      reverse: createTableStatements(ctx, table),
      destructive: true,
      dataLoss: `all rows of ${key}`,
      breaking: `table ${key} dropped`,
    }),
  )
  return changes
}

function createIndexChange(table: TableModel, index: IndexModel, concurrently: boolean): Change {
  return makeChange({
    kind: 'create_index',
    object: `${table.schema}.${index.name}`,
    summary: `create ${index.unique ? 'unique ' : ''}index ${index.name} on ${tableKey(table)}${concurrently ? ' (concurrently)' : ''}`,
    phase: Phase.createIndex,
    up: indexStatements(table, index, concurrently),
    reverse: [sql.dropIndex(table.schema, index.name, concurrently)],
    transactional: !concurrently,
    reverseTransactional: !concurrently,
  })
}

function addForeignKeyChange(table: TableModel, fk: ForeignKeyModel, summary?: string): Change {
  return makeChange({
    kind: 'add_foreign_key',
    object: `${tableKey(table)}.${fk.name}`,
    summary: summary ?? `add foreign key ${fk.name} on ${tableKey(table)}`,
    phase: Phase.addForeignKey,
    up: [sql.addConstraint(table, sql.foreignKeyClause(fk))],
    reverse: [sql.dropConstraint(table, fk.name)],
  })
}

function dropForeignKeyChange(table: TableModel, fk: ForeignKeyModel, summary?: string): Change {
  return makeChange({
    kind: 'drop_foreign_key',
    object: `${tableKey(table)}.${fk.name}`,
    summary: summary ?? `drop foreign key ${fk.name} on ${tableKey(table)}`,
    phase: Phase.dropForeignKey,
    up: [sql.dropConstraint(table, fk.name)],
    reverse: [sql.addConstraint(table, sql.foreignKeyClause(fk))],
  })
}

/**
 * Keys ("newschema.newtable|col,col") whose primary key, unique constraint or unique index is
 * dropped: a foreign key that points at one must be dropped before it and added again after.
 */
function droppedReferencedKeys(ctx: DiffContext): Set<string> {
  const keys = new Set<string>()
  for (const [oldKey, old] of ctx.fromTables) {
    const newKey = newTableKey(ctx, oldKey)
    const table = ctx.toTables.get(newKey)
    if (!table) continue
    const map = columnMapper(ctx, oldKey)
    const before = referenceableKeysByName(old, newKey, map)
    const after = referenceableKeysByName(table, newKey)
    for (const [name, def] of before) {
      // Kept: same name and definition, or renamed within its kind (RENAME keeps the index).
      const kept = after.get(name) === def || (!after.has(name) && [...after.values()].includes(def))
      if (!kept) keys.add(def.slice(def.indexOf(':') + 1))
    }
  }
  return keys
}

/** name → "kind:key" of the primary key, uniques and unique indexes. */
function referenceableKeysByName(table: TableModel, key: string, map?: ColumnMapper): Map<string, string> {
  const result = new Map<string, string>()
  const single = (t: TableModel): string => referenceableKeys(t, key, map)[0]
  if (table.primaryKey) result.set(table.primaryKey.name, 'pk:' + single({...table, uniques: [], indexes: []}))
  for (const u of table.uniques)
    result.set(u.name, 'unique:' + single({...table, primaryKey: undefined, uniques: [u], indexes: []}))
  for (const i of table.indexes) {
    const keys = referenceableKeys({...table, primaryKey: undefined, uniques: [], indexes: [i]}, key, map)
    if (keys.length > 0) result.set(i.name, 'index:' + keys[0])
  }
  return result
}

function alterTableChanges(
  ctx: DiffContext,
  old: TableModel,
  table: TableModel,
  droppedKeys: Set<string>,
  rebuiltEnumColumns: Set<string>,
): Change[] {
  const changes: Change[] = []
  if (old.schema !== table.schema) changes.push(moveTableChange(old, table))
  if (old.name !== table.name) changes.push(renameTableChange({...old, schema: table.schema}, table))
  changes.push(...columnChanges(ctx, old, table, rebuiltEnumColumns))
  changes.push(...keyChanges(ctx, old, table))
  changes.push(...indexChanges(ctx, old, table))
  changes.push(...foreignKeyChanges(ctx, old, table, droppedKeys))
  if (old.note !== table.note) {
    const target = {kind: 'TABLE' as const, schema: table.schema, table: table.name}
    changes.push(noteChange(target, `table ${tableKey(table)}`, tableKey(table), old.note, table.note))
  }
  return changes
}

/** SET SCHEMA moves the table with its rows, indexes, constraints and owned (serial) sequences. */
function moveTableChange(old: TableModel, table: TableModel): Change {
  return makeChange({
    kind: 'move_table',
    object: tableKey(old),
    summary: `move table ${tableKey(old)} to schema ${table.schema}`,
    phase: Phase.renameTable,
    up: [sql.setTableSchema(old, table.schema)],
    reverse: [sql.setTableSchema({...old, schema: table.schema}, old.schema)],
    breaking: `table ${tableKey(old)} moved to schema ${table.schema} (queries using the old name fail)`,
  })
}

function renameTableChange(old: TableModel, table: TableModel): Change {
  // Serial sequences are named after the table: renamed with it (column renames follow later).
  const seqs = old.columns
    .filter((c) => serialKind(c.type))
    .map((c) => [sequenceName(old.name, c.name), sequenceName(table.name, c.name)])
  const moved = seqs.filter(([a, b]) => a !== b)
  return makeChange({
    kind: 'rename_table',
    object: tableKey(old),
    summary: `rename table ${tableKey(old)} to ${table.name}`,
    phase: Phase.renameTable,
    up: [sql.renameTable(old, table.name), ...moved.map(([a, b]) => renameSequence(table.schema, a, b))],
    reverse: [sql.renameTable(table, old.name), ...moved.map(([a, b]) => renameSequence(table.schema, b, a))],
    breaking: `table ${tableKey(old)} renamed to ${table.name} (queries using the old name fail)`,
  })
}

type Named = {name: string}

interface KeyKind<T extends Named> {
  label: string
  add: 'add_primary_key' | 'add_unique' | 'add_check'
  drop: 'drop_primary_key' | 'drop_unique' | 'drop_check'
  clause: (item: T) => string
  oldDef: (item: T) => string
  newDef: (item: T) => string
}

/** Primary key, uniques and checks: constraints that ALTER TABLE ADD/DROP/RENAME CONSTRAINT handle. */
function keyChanges(ctx: DiffContext, old: TableModel, table: TableModel): Change[] {
  const map = columnMapper(ctx, tableKey(old))
  return [
    ...constraintChanges(
      old,
      table,
      old.primaryKey ? [old.primaryKey] : [],
      table.primaryKey ? [table.primaryKey] : [],
      {
        label: 'primary key',
        add: 'add_primary_key',
        drop: 'drop_primary_key',
        clause: sql.primaryKeyClause,
        oldDef: (pk) => pkDef(pk.columns, map),
        newDef: (pk) => pkDef(pk.columns),
      },
    ),
    ...constraintChanges(old, table, old.uniques, table.uniques, {
      label: 'unique constraint',
      add: 'add_unique',
      drop: 'drop_unique',
      clause: sql.uniqueClause,
      oldDef: (u) => uniqueDef(u.columns, map),
      newDef: (u) => uniqueDef(u.columns),
    }),
    ...constraintChanges(old, table, old.checks, table.checks, {
      label: 'check',
      add: 'add_check',
      drop: 'drop_check',
      clause: sql.checkClause,
      oldDef: (c) => checkDef(c.expression),
      newDef: (c) => checkDef(c.expression),
    }),
  ]
}

function constraintChanges<T extends Named>(
  old: TableModel,
  table: TableModel,
  oldItems: T[],
  newItems: T[],
  kind: KeyKind<T>,
): Change[] {
  const match = matchItems(oldItems, newItems, kind.oldDef, kind.newDef)
  const changes: Change[] = []
  for (const o of match.dropped) {
    changes.push(
      makeChange({
        kind: kind.drop,
        object: `${tableKey(old)}.${o.name}`,
        summary: `drop ${kind.label} ${o.name} on ${tableKey(old)}`,
        phase: Phase.dropConstraint,
        up: [sql.dropConstraint(old, o.name)],
        reverse: [sql.addConstraint(old, kind.clause(o))],
      }),
    )
  }
  for (const [o, n] of match.renamed) changes.push(renameConstraintChange(table, o.name, n.name, kind.label))
  for (const n of match.added) {
    changes.push(
      makeChange({
        kind: kind.add,
        object: `${tableKey(table)}.${n.name}`,
        summary: `add ${kind.label} ${n.name} on ${tableKey(table)}`,
        phase: Phase.addConstraint,
        up: [sql.addConstraint(table, kind.clause(n))],
        reverse: [sql.dropConstraint(table, n.name)],
        breaking:
          kind.add === 'add_primary_key'
            ? undefined
            : `${kind.label} ${n.name} added: existing rows that violate it make the migration fail`,
      }),
    )
  }
  return changes
}

function renameConstraintChange(table: TableModel, from: string, to: string, label: string): Change {
  return makeChange({
    kind: 'rename_constraint',
    object: `${tableKey(table)}.${from}`,
    summary: `rename ${label} ${from} on ${tableKey(table)} to ${to}`,
    phase: Phase.renameConstraint,
    up: [sql.renameConstraint(table, from, to)],
    reverse: [sql.renameConstraint(table, to, from)],
  })
}

/** Indexes: on an existing table a new one is built CONCURRENTLY (no write lock), outside the transaction. */
function indexChanges(ctx: DiffContext, old: TableModel, table: TableModel): Change[] {
  const map = columnMapper(ctx, tableKey(old))
  const match = matchItems(
    old.indexes,
    table.indexes,
    (i) => indexDef(i, map),
    (i) => indexDef(i),
  )
  const changes: Change[] = []
  for (const o of match.dropped) {
    changes.push(
      makeChange({
        kind: 'drop_index',
        object: `${old.schema}.${o.name}`,
        summary: `drop index ${o.name} on ${tableKey(old)}`,
        phase: Phase.dropConstraint,
        up: [sql.dropIndex(old.schema, o.name, false)],
        reverse: indexStatements(old, o, true),
        reverseTransactional: false,
      }),
    )
  }
  for (const [o, n] of match.renamed) {
    changes.push(
      makeChange({
        kind: 'rename_index',
        object: `${table.schema}.${o.name}`,
        summary: `rename index ${o.name} on ${tableKey(table)} to ${n.name}`,
        phase: Phase.renameConstraint,
        up: [sql.renameIndex(table.schema, o.name, n.name)],
        reverse: [sql.renameIndex(table.schema, n.name, o.name)],
      }),
    )
  }
  for (const n of match.added) changes.push(createIndexChange(table, n, true))
  for (const [o, n] of [...match.same, ...match.renamed]) {
    if (o.note === n.note) continue
    const target = {kind: 'INDEX' as const, schema: table.schema, name: n.name}
    changes.push(noteChange(target, `index ${n.name}`, `${table.schema}.${n.name}`, o.note, n.note))
  }
  return changes
}

function foreignKeyChanges(ctx: DiffContext, old: TableModel, table: TableModel, droppedKeys: Set<string>): Change[] {
  const map = columnMapper(ctx, tableKey(old))
  const match = matchItems(
    old.foreignKeys,
    table.foreignKeys,
    (f) => fkDef(ctx, f, map),
    (f) => fkDef(undefined, f),
  )
  const changes: Change[] = []
  // An unchanged foreign key must still be rebuilt when the key it points at is dropped.
  const rebuilt = [...match.same, ...match.renamed].filter(([, n]) =>
    droppedKeys.has(`${n.refSchema}.${n.refTable}|${n.refColumns.join(',')}`),
  )
  for (const o of [...match.dropped, ...rebuilt.map(([o]) => o)]) {
    const n = table.foreignKeys.find((f) => f.name === o.name)
    const what = n && sameExceptActions(ctx, o, n, map) ? `change actions of foreign key ${o.name}` : undefined
    changes.push(dropForeignKeyChange(old, o, what && `${what} on ${tableKey(old)}: drop`))
  }
  for (const [o, n] of match.renamed) {
    if (!rebuilt.some(([r]) => r === o)) changes.push(renameConstraintChange(table, o.name, n.name, 'foreign key'))
  }
  for (const n of [...match.added, ...rebuilt.map(([, n]) => n)]) changes.push(addForeignKeyChange(table, n))
  return changes
}

function sameExceptActions(ctx: DiffContext, o: ForeignKeyModel, n: ForeignKeyModel, map: ColumnMapper): boolean {
  const strip = (def: string): string => def.slice(0, def.lastIndexOf(' '))
  return strip(fkDef(ctx, o, map)) === strip(fkDef(undefined, n))
}
