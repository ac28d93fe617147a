/**
 * What `db run` and `db diff` share: load the wanted schema, find the state after the newest
 * generated migration, and plan the change between them. No database is involved.
 */
import {relative, resolve} from 'node:path'
import {UsageError, ValidationError} from '@nself/sdk'
import {findProjectRoot, projectPaths} from '../project.js'
import {parseSchema} from '../schema/parse.js'
import {renderDiagnostic, validateSchema} from '../validate/index.js'
import {
  type Change,
  type Rename,
  diffSchemas,
  emptyModel,
  findRenameCandidates,
  parseRename,
  type RenameCandidate,
} from '../diff/index.js'
import type {SchemaModel} from '../schema/model.js'
import {type MigrationsState, readMigrationsState} from './generated.js'
import {readSchemaSource} from '../schema/read.js'

/**
 * The schema file as a model. A .json file is read as a model directly (snapshots, tests,
 * benchmarks); anything else is parsed as DBML and validated: a schema with errors never becomes
 * a migration (the parser gives an empty model for a file it cannot compile, which would read as
 * "drop everything").
 */
export async function loadTargetModel(file: string, shown = file): Promise<SchemaModel> {
  const source = await readSchemaSource(file, shown, '--schema')
  if (file.endsWith('.json')) {
    const parsed = JSON.parse(source) as SchemaModel | {model: SchemaModel}
    return 'model' in parsed ? parsed.model : parsed
  }
  const parsed = await parseSchema(source, shown)
  const errors = validateSchema(parsed).filter((d) => d.severity === 'error')
  if (errors.length > 0) {
    throw new ValidationError(
      `${shown} has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${errors.map(renderDiagnostic).join('\n')}`,
      {
        code: 'NSELF_SCHEMA_INVALID',
        hint: 'Fix the schema (nself db validate lists every problem), then run this again.',
      },
    )
  }
  return parsed.model
}

/** --schema / --migrations-dir when given, else the project's database/ folder. */
export function resolvePaths(
  schema: string | undefined,
  migrationsDir: string | undefined,
): {schemaFile: string; shownSchema: string; migrationsDir: string} {
  const project = projectPaths(findProjectRoot())
  const schemaFile = schema ? resolve(schema) : project.schemaFile
  return {
    schemaFile,
    shownSchema: schema ?? (relative(process.cwd(), schemaFile) || schemaFile),
    migrationsDir: migrationsDir ? resolve(migrationsDir) : project.migrationsDir,
  }
}

export interface PlanInput {
  schemaFile: string
  /** How messages name the schema file. */
  shownSchema?: string
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
    if (typeof rename === 'string')
      throw new UsageError(`--rename ${rename}`, {
        hint: 'Examples: --rename users.name=full_name, --rename old_table=new_table',
      })
    return rename
  })
}

export async function planSchemaChange(input: PlanInput): Promise<Plan> {
  const [to, state] = await Promise.all([
    loadTargetModel(input.schemaFile, input.shownSchema),
    readMigrationsState(input.migrationsDir),
  ])
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

/** A rename must name something that exists in the new schema (the old side is checked when parsing). */
function checkRenameTargets(renames: Rename[], to: SchemaModel): void {
  const tableRenames = new Map(
    renames.flatMap((r) => (r.kind === 'table' ? [[`${r.schema}.${r.from}`, r.to] as const] : [])),
  )
  const moves = new Map(
    renames.flatMap((r) => (r.kind === 'tableSchema' ? [[`${r.schema}.${r.table}`, r.toSchema] as const] : [])),
  )
  for (const r of renames) {
    if (r.kind === 'enum') {
      if (!to.enums.some((e) => e.schema === r.schema && e.name === r.to))
        throw new ValidationError(`--rename ${r.from}=${r.to}: there is no enum ${r.schema}.${r.to} in the schema`)
      continue
    }
    if (r.kind === 'tableSchema') {
      if (!to.tables.some((t) => t.schema === r.toSchema && t.name === r.table))
        throw new ValidationError(
          `--rename ${r.schema}.${r.table}=${r.toSchema}.${r.table}: there is no table ${r.toSchema}.${r.table} in the schema`,
        )
      continue
    }
    if (r.kind === 'enumValue') {
      const e = to.enums.find((x) => x.schema === r.schema && x.name === r.enum)
      if (!e?.values.includes(r.to))
        throw new ValidationError(
          `--rename ${r.enum}.${r.from}=${r.to}: enum ${r.schema}.${r.enum} has no value '${r.to}' in the schema`,
        )
      continue
    }
    const tableName = r.kind === 'table' ? r.to : (tableRenames.get(`${r.schema}.${r.table}`) ?? r.table)
    const schema = r.kind === 'table' ? r.schema : (moves.get(`${r.schema}.${r.table}`) ?? r.schema)
    const table = to.tables.find((t) => t.schema === schema && t.name === tableName)
    if (!table) throw new ValidationError(`--rename: there is no table ${schema}.${tableName} in the schema`)
    if (r.kind === 'column' && !table.columns.some((c) => c.name === r.to)) {
      throw new ValidationError(
        `--rename ${r.table}.${r.from}=${r.to}: table ${schema}.${tableName} has no column ${r.to} in the schema`,
      )
    }
  }
}

/** Changes that lose data and so need --allow-drop (or a yes at the prompt). */
export function dataLosingDrops(changes: Change[]): Change[] {
  return changes.filter((c) => c.kind === 'drop_table' || c.kind === 'drop_column')
}
