/**
 * Live database → nself's schema model, read from pg_catalog: the one introspection used by
 * `db pull`, `db baseline` and `db diff --live`.
 */
import type {Client} from 'pg'
import {UsageError} from '@nself/sdk/errors'
import {PLATFORM_SCHEMAS, buildIntrospection} from './build.js'
import {listSchemas, readCatalogRows} from './queries.js'
import type {Introspection, IntrospectOptions} from './types.js'

export type {Extra, ExtraKind, Introspection, IntrospectOptions} from './types.js'
export {PLATFORM_SCHEMAS} from './build.js'

export async function introspect(client: Client, options: IntrospectOptions = {}): Promise<Introspection> {
  const available = await listSchemas(client)
  const schemas = chooseSchemas(available, options.schemas)
  const rows = await readCatalogRows(client, schemas)
  return buildIntrospection(rows, options)
}

/** The asked-for schemas (each must exist), or every user schema but the platform ones. */
export function chooseSchemas(available: string[], asked: string[] | undefined): string[] {
  if (!asked || asked.length === 0) return available.filter((s) => !PLATFORM_SCHEMAS.includes(s))
  const missing = asked.filter((s) => !available.includes(s))
  if (missing.length > 0) {
    throw new UsageError(`--schema ${missing.join(', ')}: no such schema in the database`, {
      hint: `Schemas there: ${available.join(', ') || 'none'}.`,
    })
  }
  return asked
}
