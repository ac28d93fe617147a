/**
 * diffSchemas: old model → new model as an ordered list of changes (see change.ts). Pure: the same
 * two models and renames always give the same plan, with no database involved.
 */
import type {SchemaModel} from '../schema/model.js'
import * as sql from '../sql/ddl.js'
import {type Change, type DiffOptions, Phase} from './change.js'
import {buildContext} from './context.js'
import {columnsWithRebuiltEnum, enumChanges} from './enums.js'
import {makeChange} from './make.js'
import {tableChanges} from './tables.js'

/** Schemas nself never creates or drops: PostgreSQL's own, and those Hasura/nhost stacks own. */
export const PROTECTED_SCHEMAS: ReadonlySet<string> = new Set([
  'public',
  'auth',
  'storage',
  'hdb_catalog',
  'pg_catalog',
  'information_schema',
])

export function diffSchemas(from: SchemaModel, to: SchemaModel, options: DiffOptions = {}): Change[] {
  const ctx = buildContext(from, to, options.renames ?? [])
  const changes = [...schemaChanges(from, to), ...enumChanges(ctx), ...tableChanges(ctx, columnsWithRebuiltEnum(ctx))]
  // Stable sort: within a phase, the order above (tables in model order, then their parts) stays.
  return changes
    .map((change, i) => ({change, i}))
    .sort((a, b) => a.change.phase - b.change.phase || a.i - b.i)
    .map((x) => x.change)
}

/** The schemas a model needs: those listed, and those of its tables and enums. */
function usedSchemas(model: SchemaModel): Set<string> {
  return new Set([...model.schemas, ...model.tables.map((t) => t.schema), ...model.enums.map((e) => e.schema)])
}

function schemaChanges(from: SchemaModel, to: SchemaModel): Change[] {
  const before = usedSchemas(from)
  const after = usedSchemas(to)
  const changes: Change[] = []
  for (const name of [...after].sort()) {
    if (before.has(name) || name === 'public') continue
    changes.push(
      makeChange({
        kind: 'create_schema',
        object: name,
        summary: `create schema ${name} (if missing)`,
        phase: Phase.createSchema,
        up: [sql.createSchema(name)],
        // auth/storage/hdb_catalog belong to the platform: the down leaves them in place.
        reverse: PROTECTED_SCHEMAS.has(name) ? [] : [sql.dropSchema(name)],
      }),
    )
  }
  for (const name of [...before].sort()) {
    if (after.has(name) || PROTECTED_SCHEMAS.has(name)) continue
    changes.push(
      makeChange({
        kind: 'drop_schema',
        object: name,
        summary: `drop schema ${name} (only if empty)`,
        phase: Phase.dropSchema,
        up: [sql.dropSchema(name)],
        reverse: [sql.createSchema(name)],
      }),
    )
  }
  return changes
}
