/**
 * `nself init`: the project layout of the spec. It never overwrites a file unless told to, and
 * reports what it created, what it left alone and what it overwrote.
 */
import {randomBytes} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {basename, join, resolve} from 'node:path'
import {DOCKER_COMPOSE, GITIGNORE, SCHEMA_DBML, envLocal} from './templates.js'

export interface ScaffoldResult {
  root: string
  created: string[]
  skipped: string[]
  overwritten: string[]
}

interface FileSpec {
  path: string
  content: string
  mode?: number
}

export function scaffoldProject(dir: string, options: {force?: boolean} = {}): ScaffoldResult {
  const root = resolve(dir)
  const result: ScaffoldResult = {root, created: [], skipped: [], overwritten: []}
  mkdirSync(root, {recursive: true})
  for (const folder of [
    'database/migrations',
    'database/seeds/development',
    'database/seeds/staging',
    'database/seeds/production',
    'database/backups',
  ]) {
    mkdirSync(join(root, folder), {recursive: true})
  }
  for (const file of projectFiles(root)) writeOne(root, file, Boolean(options.force), result)
  return result
}

function projectFiles(root: string): FileSpec[] {
  const password = randomBytes(18).toString('base64url')
  return [
    {path: '.env.local', content: envLocal(databaseName(root), password), mode: 0o600},
    {path: 'database/schema.dbml', content: SCHEMA_DBML},
    {path: 'database/migrations/.gitkeep', content: ''},
    {path: 'database/seeds/development/.gitkeep', content: ''},
    {path: 'database/seeds/staging/.gitkeep', content: ''},
    {path: 'database/seeds/production/.gitkeep', content: ''},
    {path: 'docker-compose.yml', content: DOCKER_COMPOSE},
    {path: '.gitignore', content: GITIGNORE},
  ]
}

function writeOne(root: string, file: FileSpec, force: boolean, result: ScaffoldResult): void {
  const target = join(root, file.path)
  const exists = existsSync(target)
  if (exists && !force) {
    result.skipped.push(file.path)
    return
  }
  writeFileSync(target, file.content, {mode: file.mode ?? 0o644})
  if (file.mode) chmodSync(target, file.mode) // an overwritten file keeps its old mode otherwise
  ;(exists ? result.overwritten : result.created).push(file.path)
}

/** A PostgreSQL-friendly database name from the folder name: "My App" → "my_app". */
export function databaseName(root: string): string {
  const name = basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return (/^[a-z_]/.test(name) ? name : `db_${name}`).slice(0, 63) || 'nself'
}
