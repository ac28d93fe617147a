/**
 * The typed hooks that nself's core fires and plugins answer. Plugin authors import these with
 * `import type {…} from '@nself/sdk/hooks'`: types only, so a hook needs nothing of nself at run time.
 * The contract in full is docs/plugins.md; in short:
 *
 *   beforeMigrate  fired before anything is changed, on every path that applies or rolls back migrations
 *                  (migrate:up/down, db reset, DB_AUTO_MIGRATE, also with nothing pending). It fails
 *                  closed: ANY error it throws (VetoError, this.error, a plain Error) or a hook file that
 *                  cannot load refuses the run: exit 6, NSELF_REFUSED, naming the plugin.
 *   afterMigrate   fired after the run, also a failed one: `migrations` is what was attempted, `applied`
 *                  what completed, `error` the failure. Its own failure never undoes the migrations; an
 *                  error with an exit code (NselfError, this.error(msg, {exit})) fails the command with
 *                  that code after the run's report, a plain Error is a warning.
 *   seedLoader     fired once per seed run; each plugin answers with the loader(s) for its file formats.
 *   validateSchema fired by `db validate` on a schema that parsed; plugins answer with extra diagnostics.
 *   loadProject    answered by the core, fired by plugins (loadProject() in '@nself/sdk/project'): the
 *                  project's settings and, on request, its parsed and validated schema.
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
  /**
   * Values of the flags that plugins add to the running command (package.json "nself.flags"), keyed
   * by flag name; a flag not given on the command line takes its `env` variable (process environment,
   * then the project's .env files). Empty when the command has no plugin flags.
   */
  flags: Record<string, unknown>
  /** The command that fired the hook: "db:migrate:up", "db:migrate:down" or "db:reset". */
  command: string
}

export type AfterMigrateOptions = BeforeMigrateOptions & {
  /** What completed. `migrations` (from BeforeMigrateOptions) is what the run attempted. */
  applied: MigrationInfo[]
  /** Set when the run failed part way: the error's message; `applied` then lists what did complete. */
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
 *   To report bad input, throw an Error with a numeric `row` (the record number: 1-based, a header
 *   not counted), and if known `line` (the physical line, 1-based) and `column` (SeedRowError has that
 *   shape; a plugin need not import it). A row may carry its source line under SOURCE_LINE.
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

/**
 * A row may carry the line of the source file it came from under this key (a symbol, so it is never
 * taken for a column): `{email: 'a@b.c', [SOURCE_LINE]: 12}`. Errors about the row, PostgreSQL's
 * included, then name the line beside the row. `Symbol.for('nself.sourceLine')` is the same key
 * without importing anything.
 */
export const SOURCE_LINE: unique symbol = Symbol.for('nself.sourceLine') as never

/** See SeedContent: the key under which a row's object/array value may carry its JSON text. */
export const RAW_JSON: unique symbol = Symbol.for('nself.rawJson') as never

/**
 * Bad input in a seed file: the core reports the file, this row, line and column. `row` is the
 * loader's record number (1-based, a header not counted: the same count the core uses for rows it
 * yielded), `line` the physical line of the file (1-based).
 */
export class SeedRowError extends Error {
  constructor(
    message: string,
    readonly row?: number,
    readonly column?: string,
    readonly line?: number,
  ) {
    super(message)
    this.name = 'SeedRowError'
  }
}

/** A source position, 1-based. */
export type SourcePosition = {line: number; column: number}

/**
 * The parts of the core's schema model (plain JSON data) that plugins may rely on. The core's model
 * has more; these fields keep their meaning and shape.
 */
export type SchemaModelView = {
  /** Schemas used by the tables and enums, "public" included, sorted. */
  schemas: string[]
  /** Sorted by schema and name. */
  tables: SchemaTableView[]
  enums: Array<{schema: string; name: string; values: string[]; loc?: SourcePosition}>
}

export type SchemaTableView = {
  schema: string
  name: string
  /** In declaration order. */
  columns: Array<{
    name: string
    type: {name: string; schema?: string; args: string[]; arrayDims: number}
    notNull: boolean
    loc?: SourcePosition
  }>
  primaryKey?: {name: string; columns: string[]}
  uniques: Array<{name: string; columns: string[]}>
  foreignKeys: Array<{
    name: string
    columns: string[]
    refSchema: string
    refTable: string
    refColumns: string[]
    /** `-` refs are one-to-one (the FK sits on the non-key side). */
    relation?: 'many-to-one' | 'one-to-one'
  }>
  /** Set on the junction table that a `<>` ref generates. */
  generated?: 'many-to-many'
  /** Where the `Table` keyword is. */
  loc?: SourcePosition
}

export type ValidateSchemaOptions = {
  /** The schema file as messages name it (database/schema.dbml). */
  file: string
  source: string
  model: SchemaModelView
}

/** One finding of a plugin; the core adds the file and reports it like its own. */
export type SchemaDiagnostic = {
  line: number
  column: number
  severity: 'error' | 'warning'
  message: string
  /** Stable id, e.g. "hasura-annotation". */
  rule: string
  hint?: string
}

export type LoadProjectOptions = {
  /** Parse the schema too (default false). */
  schema?: boolean
  /** Parse and validate it (implies schema): `schema.diagnostics` then holds nself's own checks. */
  validate?: boolean
  /** Schema file to parse instead of the project's database/schema.dbml (relative to the working directory). */
  file?: string
  /** DBML text to parse (and validate) instead of reading a file; `file` then only names it in messages. */
  source?: string
  /**
   * DBML text of an earlier version: `schema.changes` then lists what changes from it to this schema
   * (as `nself db run` would plan them). Empty text means an empty database.
   */
  changesFrom?: string
}

/** One change between two schemas, as `nself db run` plans it. */
export type SchemaChangeView = {
  kind: string
  /** The object changed, e.g. "public.users.email". */
  object: string
  summary: string
  /** Loses data or breaks compatibility (a drop, a narrowing type change). */
  destructive: boolean
}

export type ProjectInfo = {
  /** Absolute path of the project root. */
  root: string
  environment: string
  /** .env, .env.<ENVIRONMENT>, .env.local and the process environment merged (the latter wins). */
  env: Record<string, string>
  /** Where each setting of `env` came from, for messages: ".env.local", "the process environment", … */
  sources: Record<string, string>
  schema?: {
    /** Absolute path. */
    path: string
    /** How messages name it. */
    file: string
    source: string
    model: SchemaModelView
    /** Parser errors; the model is empty when there is any. */
    errors: Array<SourcePosition & {message: string}>
    /** With `validate: true`: what `nself db validate` reports (errors and warnings, plugins' not included). */
    diagnostics?: SchemaDiagnostic[]
    /** With `changesFrom`: the changes from that text to this schema; absent when either does not parse. */
    changes?: SchemaChangeView[]
  }
}

export interface NselfHooks extends Interfaces.Hooks {
  beforeMigrate: {options: BeforeMigrateOptions; return: void}
  afterMigrate: {options: AfterMigrateOptions; return: void}
  seedLoader: {options: SeedLoaderOptions; return: SeedLoader | SeedLoader[] | undefined}
  validateSchema: {options: ValidateSchemaOptions; return: SchemaDiagnostic[] | undefined}
  loadProject: {options: LoadProjectOptions; return: ProjectInfo}
}

export type BeforeMigrateHook = Hook<'beforeMigrate', NselfHooks>
export type AfterMigrateHook = Hook<'afterMigrate', NselfHooks>
export type SeedLoaderHook = Hook<'seedLoader', NselfHooks>
export type ValidateSchemaHook = Hook<'validateSchema', NselfHooks>
export type LoadProjectHook = Hook<'loadProject', NselfHooks>
