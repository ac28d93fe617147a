/**
 * The typed hooks that nself's core fires and plugins answer. Plugin authors import these with
 * `import type {…} from '@nself/sdk/hooks'`: types only, so a plugin needs nothing of nself at run time.
 *
 *   beforeMigrate  fired before any migration SQL runs; a hook vetoes with `this.error(msg, {exit: 6})`
 *                  or by throwing VetoError.
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
  path: string
  /** File name, e.g. "01_users.json". */
  fileName: string
  /** Extension without the dot, lower case: "json", "sql", "csv". */
  format: string
  schema: string
  table: string
  environment: string
}

/** What a loader hands back: SQL that the core executes, or rows that the core COPYs into the table. */
export type SeedContent =
  | {kind: 'sql'; sql: string}
  | {
      kind: 'rows'
      /** Objects keyed by column name. Omitted keys take the column default. */
      rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>
    }

export type SeedLoader = {
  /** Formats (extensions without the dot) this loader reads. */
  formats: string[]
  load(file: SeedFile): Promise<SeedContent> | SeedContent
}

export type SeedLoaderOptions = {
  environment: string
}

/** Thrown by a loader for bad input: the core reports file and row. */
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
