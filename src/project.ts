/**
 * Where a project's files are. The project root is the nearest folder (from the working directory
 * up) that holds `database/schema.dbml`, `.env.local` or `.nself/`; NSELF_PROJECT_DIR overrides it.
 */
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

export interface ProjectPaths {
  root: string
  databaseDir: string
  schemaFile: string
  migrationsDir: string
  seedsDir: string
  /** nself's private state: embedded server data, the operations log. Git-ignored. */
  stateDir: string
}

export function findProjectRoot(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  return locateProjectRoot(cwd, env) ?? resolve(cwd)
}

/** The project root, or undefined when neither the folder nor any above it is a project. */
export function locateProjectRoot(
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.NSELF_PROJECT_DIR) return resolve(env.NSELF_PROJECT_DIR)
  let dir = resolve(cwd)
  for (;;) {
    if (isProjectRoot(dir)) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

export const NOT_A_PROJECT = 'not an nself project (no database/schema.dbml here or above)'

function isProjectRoot(dir: string): boolean {
  return ['database/schema.dbml', '.env.local', '.nself'].some((marker) => existsSync(join(dir, marker)))
}

export function projectPaths(root: string): ProjectPaths {
  const databaseDir = join(root, 'database')
  return {
    root,
    databaseDir,
    schemaFile: join(databaseDir, 'schema.dbml'),
    migrationsDir: join(databaseDir, 'migrations'),
    seedsDir: join(databaseDir, 'seeds'),
    stateDir: join(root, '.nself'),
  }
}
