/**
 * Constraint conflicts: `[pk, null]`, two primary keys, duplicate indexes, keys and indexes on
 * missing columns, identifiers longer than PostgreSQL keeps (63 bytes), and names that collide once
 * PostgreSQL folds unquoted identifiers to lower case, and control characters in names.
 */
import {commentText, CONTROL_CHARACTERS} from '@nself/sdk/sql'
import type {SourceLocation, TableModel} from '../schema/model.js'
import {MAX_IDENTIFIER_BYTES, byteLength} from '../schema/names.js'
import {type Check, type CheckContext, type Diagnostic, plural, qualified, shown} from './diagnostic.js'

const lineOf = (loc?: SourceLocation): string => (loc ? ` (line ${loc.line})` : '')

export const primaryKeyCheck: Check = {
  name: 'primary keys',
  run(ctx) {
    const {primaryKeys, explicitNull} = ctx.parsed.declared
    const diagnostics: Diagnostic[] = []
    const firstPk = new Map<string, SourceLocation | undefined>()
    for (const pk of primaryKeys) {
      if (!firstPk.has(pk.table)) {
        firstPk.set(pk.table, pk.loc)
        continue
      }
      diagnostics.push(
        ctx.at(
          pk.loc,
          'error',
          'multiple-pk',
          `table ${shown(pk.table)} has more than one primary key: (${pk.columns.join(', ')}) and the one declared earlier${lineOf(firstPk.get(pk.table))}`,
          'keep one primary key; make the other columns [unique]',
        ),
      )
    }
    for (const n of explicitNull) {
      if (!primaryKeys.some((pk) => pk.table === n.table && pk.columns.includes(n.column))) continue
      diagnostics.push(
        ctx.at(
          n.loc,
          'error',
          'pk-null',
          `column ${shown(n.table)}.${n.column} is [null] but part of the primary key, which is always NOT NULL`,
          'remove [null]',
        ),
      )
    }
    return {
      diagnostics,
      looked: `${plural(primaryKeys.length, 'primary-key declaration')}, ${plural(explicitNull.length, '[null] column')}`,
    }
  },
}

export const indexCheck: Check = {
  name: 'indexes',
  run(ctx) {
    const diagnostics: Diagnostic[] = []
    for (const dup of ctx.parsed.declared.duplicateIndexes) {
      diagnostics.push(
        ctx.at(
          dup.loc,
          'error',
          'duplicate-index',
          `duplicate index on ${shown(dup.table)}: same columns, method and uniqueness as the index${lineOf(dup.first)}`,
          'remove one of them',
        ),
      )
    }
    let count = 0
    for (const table of ctx.parsed.model.tables) count += missingColumns(ctx, table, diagnostics)
    for (const table of ctx.parsed.model.tables) {
      for (const index of table.indexes) {
        // PostgreSQL: "access method "hash" does not support multicolumn indexes".
        if (index.method?.toLowerCase() !== 'hash' || index.parts.length < 2) continue
        diagnostics.push(
          ctx.at(
            index.loc ?? table.loc,
            'error',
            'hash-multicolumn',
            `index ${index.name} on ${shown(`${table.schema}.${table.name}`)}: a hash index takes one column (PostgreSQL refuses multi-column hash indexes)`,
            'use btree (the default) for several columns, or one hash index per column',
          ),
        )
      }
    }
    return {
      diagnostics,
      looked: `${count} keys and indexes for missing columns, ${plural(ctx.parsed.declared.duplicateIndexes.length, 'duplicate')}`,
    }
  },
}

/** Reports keys and indexes naming columns the table does not have; returns how many it looked at. */
function missingColumns(ctx: CheckContext, table: TableModel, out: Diagnostic[]): number {
  const have = new Set(table.columns.map((c) => c.name))
  const keys = [
    ...(table.primaryKey
      ? [{name: table.primaryKey.name, columns: table.primaryKey.columns, loc: table.primaryKey.loc}]
      : []),
    ...table.uniques,
    ...table.indexes.map((i) => ({
      name: i.name,
      loc: i.loc,
      columns: i.parts.flatMap((p) => (p.kind === 'column' ? [p.name] : [])),
    })),
  ]
  for (const key of keys) {
    const missing = key.columns.find((c) => !have.has(c))
    if (missing === undefined) continue
    out.push(
      ctx.at(
        key.loc ?? table.loc,
        'error',
        'index-column',
        `${key.name} on ${qualified(table.schema, table.name)} uses column '${missing}', which the table does not have`,
      ),
    )
  }
  return keys.length
}

interface Named {
  kind: string
  name: string
  loc?: SourceLocation
  /** Names in one namespace must differ after lower-casing. */
  namespace: string
}

export const identifierCheck: Check = {
  name: 'identifiers',
  run(ctx) {
    const names = collectNames(ctx)
    const diagnostics: Diagnostic[] = controlCharacters(ctx, names)
    for (const n of names) {
      if (byteLength(n.name) > MAX_IDENTIFIER_BYTES) {
        diagnostics.push(
          ctx.at(
            n.loc,
            'error',
            'identifier-length',
            `${n.kind} name '${n.name}' is ${byteLength(n.name)} bytes; PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES}`,
            'shorten the name',
          ),
        )
      }
    }
    const seen = new Map<string, Named>()
    for (const n of names) {
      const key = `${n.namespace}\0${n.name.toLowerCase()}`
      const first = seen.get(key)
      if (!first) {
        seen.set(key, n)
        continue
      }
      const same =
        first.name === n.name
          ? 'is used twice'
          : `collides with ${first.kind} '${first.name}' once folded to lower case`
      diagnostics.push(
        ctx.at(
          n.loc,
          'error',
          'name-collision',
          `${n.kind} name '${n.name}' ${same}${lineOf(first.loc)}`,
          'rename one of them',
        ),
      )
    }
    return {diagnostics, looked: `${names.length} identifiers for length and lower-case collisions`}
  },
}

/**
 * A line break in a name would end the comment it is written into and start SQL; no control
 * character has a place in a name, so all are refused (the message shows them escaped).
 */
function controlCharacters(ctx: CheckContext, names: Named[]): Diagnostic[] {
  const values = ctx.parsed.model.enums.flatMap((e) =>
    e.values.map((v): Named => ({kind: 'enum value', name: v, loc: e.loc, namespace: ''})),
  )
  return [...names, ...values]
    .filter((n) => CONTROL_CHARACTERS.test(n.name))
    .map((n) =>
      ctx.at(
        n.loc,
        'error',
        'control-character',
        `${n.kind} name '${commentText(n.name)}' holds a control character (a line break, tab or escape); names cannot hold them`,
        'remove the character from the name',
      ),
    )
}

/**
 * Every name with its namespace as PostgreSQL sees it: tables, indexes and key constraints share the
 * schema's relation namespace (and tables and enums its type namespace); columns, foreign keys and
 * checks are per table.
 */
function collectNames(ctx: CheckContext): Named[] {
  const names: Named[] = []
  const {model} = ctx.parsed
  for (const schema of model.schemas) names.push({kind: 'schema', name: schema, namespace: 'schemas'})
  for (const e of model.enums) {
    names.push({kind: 'enum', name: e.name, loc: e.loc, namespace: `type:${e.schema}`})
    for (const v of e.values)
      if (byteLength(v) > MAX_IDENTIFIER_BYTES)
        names.push({kind: 'enum value', name: v, loc: e.loc, namespace: `enum:${e.schema}.${e.name}:${v}`})
  }
  for (const t of model.tables) {
    const rel = `rel:${t.schema}`
    const own = `table:${t.schema}.${t.name}`
    names.push({kind: 'table', name: t.name, loc: t.loc, namespace: rel})
    for (const c of t.columns)
      names.push({kind: 'column', name: c.name, loc: c.loc, namespace: `col:${t.schema}.${t.name}`})
    if (t.primaryKey) names.push({kind: 'primary key', name: t.primaryKey.name, loc: t.primaryKey.loc, namespace: rel})
    for (const u of t.uniques) names.push({kind: 'unique constraint', name: u.name, loc: u.loc, namespace: rel})
    for (const i of t.indexes) names.push({kind: 'index', name: i.name, loc: i.loc, namespace: rel})
    for (const f of t.foreignKeys) names.push({kind: 'foreign key', name: f.name, loc: f.loc, namespace: own})
    for (const c of t.checks) names.push({kind: 'check', name: c.name, loc: c.loc, namespace: own})
  }
  return names.concat(tableEnumClashes(ctx))
}

/** A table also defines a composite type of its name, so a table and an enum cannot share a name. */
function tableEnumClashes(ctx: CheckContext): Named[] {
  const tables = new Map(ctx.parsed.model.tables.map((t) => [`${t.schema}.${t.name.toLowerCase()}`, t]))
  const out: Named[] = []
  for (const e of ctx.parsed.model.enums) {
    const t = tables.get(`${e.schema}.${e.name.toLowerCase()}`)
    if (t) out.push({kind: 'table', name: t.name, loc: t.loc, namespace: `type:${e.schema}`})
  }
  return out
}
