/**
 * A migration plan, as Atlas's sql/migrate builds one: an ordered list of changes, each with the
 * statements that apply it and the statements that undo it. The down migration is the reverses in
 * reverse order, so any order that is right for the up is right for the down.
 */

/**
 * Phases give the dependency order. Everything that can block a later step is removed first
 * (foreign keys before the keys and tables they point to), everything that later steps need is
 * created first (schemas and enums before tables, tables before foreign keys).
 */
export const Phase = {
  createSchema: 10,
  renameEnum: 15,
  createEnum: 20,
  renameEnumValue: 21,
  addEnumValue: 22,
  dropForeignKey: 30,
  dropConstraint: 40,
  renameTable: 50,
  renameColumn: 51,
  renameConstraint: 52,
  recreateEnum: 55,
  createTable: 60,
  addColumn: 70,
  alterColumn: 80,
  dropColumn: 90,
  dropTable: 100,
  addConstraint: 110,
  createIndex: 120,
  addForeignKey: 130,
  comment: 140,
  dropEnum: 150,
  dropSchema: 160,
} as const

export type ChangeKind =
  | 'create_schema'
  | 'drop_schema'
  | 'create_enum'
  | 'drop_enum'
  | 'add_enum_value'
  | 'rename_enum_value'
  | 'recreate_enum'
  | 'create_table'
  | 'drop_table'
  | 'rename_table'
  | 'move_table'
  | 'rename_enum'
  | 'add_column'
  | 'drop_column'
  | 'rename_column'
  | 'alter_column_type'
  | 'alter_column_nullability'
  | 'alter_column_default'
  | 'alter_column_identity'
  | 'add_primary_key'
  | 'drop_primary_key'
  | 'add_unique'
  | 'drop_unique'
  | 'create_index'
  | 'drop_index'
  | 'add_foreign_key'
  | 'drop_foreign_key'
  | 'add_check'
  | 'drop_check'
  | 'rename_constraint'
  | 'rename_index'
  | 'comment'

export interface Change {
  kind: ChangeKind
  /** The object changed: "public.users", "public.users.email", "public.user_role". */
  object: string
  /** One line for the migration header and the command's output. */
  summary: string
  phase: number
  /** Statements without the trailing semicolon. */
  up: string[]
  /** Statements that undo `up`, in the order they run. */
  reverse: string[]
  /** The up can lose data or fail on existing rows. */
  destructive: boolean
  /** What the up loses, when it does (the down cannot bring it back). */
  dataLoss?: string
  /** What the down loses, when it does (dropping what the up added). */
  reverseDataLoss?: string
  /** False for statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY…). */
  transactional: boolean
  reverseTransactional: boolean
  /** Why running applications or data may break, for `db validate --check-breaking`. */
  breaking?: string
}

export type Rename =
  | {kind: 'table'; schema: string; from: string; to: string}
  /** `table` is the table's name in the old model (its new name is accepted too). */
  | {kind: 'column'; schema: string; table: string; from: string; to: string}
  | {kind: 'enumValue'; schema: string; enum: string; from: string; to: string}
  /** An enum type renamed within its schema. */
  | {kind: 'enum'; schema: string; from: string; to: string}
  /** A table moved to another schema under the same name. */
  | {kind: 'tableSchema'; schema: string; table: string; toSchema: string}

export interface DiffOptions {
  renames?: Rename[]
}
