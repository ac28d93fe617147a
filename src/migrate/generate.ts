/**
 * What `db run` and `db diff` share: load the wanted schema, find the state after the newest
 * generated migration, and plan the change between them. No database is involved.
 */
import {readFile} from 'node:fs/promises'
import {UsageError, ValidationError} from '@nself/sdk'
import {type Change, type Rename, diffSchemas, emptyModel, findRenameCandidates, parseRename, type RenameCandidate} from '../diff/index.js'
import type {SchemaModel} from '../schema/model.js'
import {type MigrationsState, readMigrationsState} from './files.js'

export const DEFAULT_SCHEMA = 'database/schema.dbml'
export const DEFAULT_MIGRATIONS_DIR = 'database/migrations'

type ParseSchema = (source: string, file: string) => Promise<{model: SchemaModel}>

/**
 * The schema file as a model. A .json file is read as a model directly (snapshots, tests,
 * benchmarks); anything else goes through the DBML parser (src/schema/parse.ts), which is imported
 * only here so that commands which never parse stay fast.
 */
export async function loadTargetModel(file: string): Promise<SchemaModel> {
  let source: string
  try {
    source = await readFile(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read the schema file ${file}: ${(error as Error).message}`, {
      hint: 'Run it in the project folder, or pass --schema <path>.',
    })
  }
  if (file.endsWith('.json')) {
    const parsed = JSON.parse(source) as SchemaModel | {model: SchemaModel}
    return 'model' in parsed ? parsed.model : parsed
  }
  const parser = new URL('../schema/parse.js', import.meta.url).href
  const {parseSchema} = (await import(parser)) as {parseSchema: ParseSchema}
  return (await parseSchema(source, file)).model
}

export interface PlanInput {
  schemaFile: string
  migrationsDir: string
  renameSpecs: string[]
}

export interface Plan {
  from: SchemaModel
  to: SchemaModel
  state: MigrationsState
  renames: Rename[]
  /** Drop + add pairs that might be renames, not decided by a --rename. */
  candidates: RenameCandidate[]
  changes: Change[]
  /** Hand-written migrations newer than the newest snapshot (their changes are not in `from`). */
  warnings: string[]
}

export function parseRenames(specs: string[], from: SchemaModel): Rename[] {
  return specs.map((spec) => {
    const rename = parseRename(spec, from)
    if (typeof rename === 'string') throw new UsageError(`--rename ${rename}`, {hint: 'Examples: --rename users.name=full_name, --rename old_table=new_table'})
    return rename
  })
}

export async function planMigration(input: PlanInput): Promise<Plan> {
  const [to, state] = await Promise.all([loadTargetModel(input.schemaFile), readMigrationsState(input.migrationsDir)])
  const from = state.latest?.model ?? emptyModel()
  const renames = parseRenames(input.renameSpecs, from)
  checkRenameTargets(renames, to)
  const warnings = state.unsnapshotted.map(
    (m) =>
      `${m.version}_${m.name} has no snapshot (meta/${m.version}.json), so its changes are not known to nself: ` +
      `the diff starts from ${state.latest ? `snapshot ${state.latest.version}` : 'an empty database'}.`,
  )
  return {from, to, state, renames, warnings, ...replan(from, to, renames)}
}

/** Candidates and changes for a set of renames (called again after each answer at the prompt). */
export function replan(from: SchemaModel, to: SchemaModel, renames: Rename[]): Pick<Plan, 'candidates' | 'changes'> {
  return {candidates: findRenameCandidates(from, to, renames), changes: diffSchemas(from, to, {renames})}
}

function checkRenameTargets(renames: Rename[], to: SchemaModel): void {
  for (const r of renames) {
    if (r.kind !== 'table') continue
    if (!to.tables.some((t) => t.schema === r.schema && t.name === r.to)) {
      throw new ValidationError(`--rename ${r.schema}.${r.from}=${r.to}: there is no table ${r.schema}.${r.to} in the schema`)
    }
  }
}

/** Changes that lose data and so need --allow-drop (or a yes at the prompt). */
export function dataLosingDrops(changes: Change[]): Change[] {
  return changes.filter((c) => c.kind === 'drop_table' || c.kind === 'drop_column')
}
