/**
 * Shapes shared by the introspection steps: what was read (the model), and what DBML cannot hold
 * (extras), each with the SQL that recreates it on a database built from the DBML.
 */
import type {SchemaModel} from '../schema/model.js'

export type ExtraKind =
  | 'extension'
  | 'schema'
  | 'domain'
  | 'type'
  | 'sequence'
  | 'function'
  | 'view'
  | 'materialized view'
  | 'trigger'
  | 'policy'
  | 'row level security'
  | 'grant'
  | 'index'
  | 'constraint'
  | 'column'
  | 'comment'
  | 'table'
  | 'partition'

export interface Extra {
  kind: ExtraKind
  /** "public.film_list", "public.film.fulltext", "public.rental (trigger last_updated)". */
  object: string
  /** What DBML cannot say, or what the DBML says instead (an approximation). */
  reason: string
  /** Before the tables (extensions, types, sequences) or after them (views, triggers, fix-ups). */
  phase: 'before' | 'after'
  /**
   * Statements that give a database built from the DBML the same object. Empty when there is
   * nothing to run (the report is all there is to say).
   */
  sql: string[]
  /** The statements cannot run after the schema is built (partitions of a table DBML makes plain): written commented out. */
  manual?: boolean
}

export interface Introspection {
  model: SchemaModel
  extras: Extra[]
  /** `//` lines to write above a table in DBML ("schema.table" → lines): facts that would change the catalog as notes. */
  dbmlComments: Map<string, string[]>
  /** PostgreSQL's own text of each column default that became a model default ("schema.table.column" → text). */
  rawDefaults: Map<string, string>
  /** Tables read, for messages. */
  tableCount: number
}

export interface IntrospectOptions {
  /** Schemas to read. Default: every user schema except the platform ones (auth, storage, hdb_catalog). */
  schemas?: string[]
  /** Glob patterns of tables to leave out, matched against `table` and `schema.table`. */
  excludeTables?: string[]
  /** Tables that are nself's own (the migration history table), "schema.table". */
  ownTables?: string[]
}
