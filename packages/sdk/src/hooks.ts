/**
 * The typed hooks that nself's core fires and plugins answer. Plugin authors import these with
 * `import type {…} from '@nself/sdk/hooks'`: types only, so a plugin needs nothing of nself at run time.
 *
 *   beforeMigrate  fired before any migration SQL runs; a hook vetoes with `this.error(msg, {exit: 6})`
 *                  or by throwing VetoError (`import {VetoError} from '@nself/sdk/errors'`).
 *   afterMigrate   fired after a migrate run, with what was applied (also after a failure, with `error`).
 *   seedLoader     fired once per seed run; each plugin answers with the loader(s) for its file formats.
 */
import type {Hook, Interfaces} from '@oclif/core'

export type MigrationDirection = 'up' | 'down'

export type MigrationInfo = {
  /** Three-digit version such as "003". */
  version: string
  /** Slug from the file name, such as "add_user_profiles". */
  name: string
  /** Absolute path of the SQL file that runs in this direction. */
  file: string
}

export type BeforeMigrateOptions = {
  direction: MigrationDirection
  migrations: MigrationInfo[]
  environment: string
  /** Target database name (never a connection string: it could hold a password). */
  database: string
  dryRun: boolean
}

export type AfterMigrateOptions = BeforeMigrateOptions & {
  applied: MigrationInfo[]
  /** Set when the run failed part way; `applied` then lists what did complete. */
  error?: string
}

/** One seed file as the core found it. */
export type SeedFile = {
  /** Absolute path. */
  path: string
  /** File name, e.g. "01_users.json". */
  fileName: string
  /** Extension without the dot, lower case: "json", "sql", "csv". */
  format: string
  schema: string
  table: string
  environment: string
}

/** One SQL statement of a seed file, with the line it starts on (1-based) for error messages. */
export type SeedStatement = {sql: string; line: number}

/** A row: column name to value. Omitted keys take the column default. */
export type SeedRow = Record<string, unknown>

/**
 * What a loader hands back. The core runs it inside the seed run's single transaction.
 * - `sql`: one string the core executes as is (several statements allowed; errors give a line when
 *   PostgreSQL reports a position).
 * - `statements`: statements the core executes one by one, so an error names the statement's line.
 * - `rows`: objects the core writes with COPY into the file's table. An item that is an array is a
 *   batch of rows (cheaper than one iteration step per row for big files). Values: null, booleans, numbers,
 *   bigints or numeric strings, strings, Dates, arrays (for array columns), objects/arrays for json(b).
 *   To report bad input, throw an Error with a numeric `row` (1-based) and, if known, `column`
 *   (SeedRowError has that shape; a plugin need not import it).
 *   Optional speed-up: an object or array value may carry its own JSON text under the symbol
 *   `Symbol.for('nself.rawJson')` (RAW_JSON); for json/jsonb columns the core then writes that text
 *   instead of JSON.stringify-ing the value again. The JSON plugin does this.
 */
export type SeedContent =
  | {kind: 'sql'; sql: string}
  | {kind: 'statements'; statements: Iterable<SeedStatement> | AsyncIterable<SeedStatement>}
  | {kind: 'rows'; rows: AsyncIterable<SeedRow | SeedRow[]> | Iterable<SeedRow | SeedRow[]>}

export type SeedLoader = {
  /** Formats (extensions without the dot, lower case) this loader reads. */
  formats: string[]
  /** Called once per file; may be called again for the same file (the core re-reads to locate a bad row). */
  load(file: SeedFile): Promise<SeedContent> | SeedContent
}

/** Options of the `seedLoader` hook. A hook answers with its loader(s) or undefined. */
export type SeedLoaderOptions = {
  environment: string
}

/** See SeedContent: the key under which a row's object/array value may carry its JSON text. */
export const RAW_JSON: unique symbol = Symbol.for('nself.rawJson') as never

/** Bad input in a seed file: the core reports the file, this row (1-based) and column. */
export class SeedRowError extends Error {
  constructor(message: string, readonly row?: number, readonly column?: string) {
    super(message)
    this.name = 'SeedRowError'
  }
}

export interface NselfHooks extends Interfaces.Hooks {
  beforeMigrate: {options: BeforeMigrateOptions; return: void}
  afterMigrate: {options: AfterMigrateOptions; return: void}
  seedLoader: {options: SeedLoaderOptions; return: SeedLoader | SeedLoader[] | undefined}
}

export type BeforeMigrateHook = Hook<'beforeMigrate', NselfHooks>
export type AfterMigrateHook = Hook<'afterMigrate', NselfHooks>
export type SeedLoaderHook = Hook<'seedLoader', NselfHooks>
