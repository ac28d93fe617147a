/**
 * Seed file discovery: `database/seeds/<environment>/*`, one file per table. The table comes from the
 * file name: `users.json` → public.users, `audit.events.json` → audit.events, `01_users.json` → users
 * with explicit order 1 (a numeric prefix wins over foreign-key order).
 */
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import type {SeedFile} from '@nself/sdk/hooks'
import {UsageError, ValidationError} from '@nself/sdk/errors'

export interface DiscoveredFile extends SeedFile {
  /** From a numeric prefix such as "01_"; undefined when the file has none. */
  order?: number
}

const NAME = /^(?:(\d+)[_-])?(?:([A-Za-z_][\w$]*)\.)?([A-Za-z_][\w$]*)\.([A-Za-z0-9]+)$/

export function seedDir(seedsDir: string, environment: string): string {
  // The environment becomes a folder name: nothing that could leave database/seeds/.
  if (!/^[a-z][a-z0-9_-]*$/.test(environment)) {
    throw new UsageError(
      `environment ${JSON.stringify(environment)} is not valid: expected a lower-case name such as development, staging or production`,
    )
  }
  return join(seedsDir, environment)
}

/** The seed files of one environment, in name order; hidden files and folders are ignored. */
export function discoverSeedFiles(seedsDir: string, environment: string): DiscoveredFile[] {
  const dir = seedDir(seedsDir, environment)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => parseSeedFileName(dir, name, environment))
}

export function parseSeedFileName(dir: string, fileName: string, environment: string): DiscoveredFile {
  const match = NAME.exec(fileName)
  if (!match) {
    throw new ValidationError(`seed file ${fileName} in ${dir}: cannot tell its table from the name`, {
      hint: 'Name seed files <table>.<format>, <schema>.<table>.<format> or <NN>_<table>.<format>, e.g. 01_users.json.',
    })
  }
  const [, order, schema, table, format] = match
  return {
    path: join(dir, fileName),
    fileName,
    format: format.toLowerCase(),
    schema: schema ?? 'public',
    table,
    environment,
    order: order === undefined ? undefined : Number(order),
  }
}

export function qualifiedName(file: {schema: string; table: string}): string {
  return `${file.schema}.${file.table}`
}

/** Keep the files whose table is listed (`users` or `public.users`); an unknown name is an error. */
export function filterByTables<T extends DiscoveredFile>(files: T[], tables: string[] | undefined, dir: string): T[] {
  if (!tables || tables.length === 0) return files
  const matches = (file: T, name: string) => name === file.table || name === qualifiedName(file)
  const unknown = tables.filter((name) => !files.some((file) => matches(file, name)))
  if (unknown.length > 0) {
    throw new ValidationError(`no seed file for ${unknown.join(', ')} in ${dir}`, {
      hint: `Seed files there: ${files.map((f) => f.fileName).join(', ') || '(none)'}.`,
    })
  }
  return files.filter((file) => tables.some((name) => matches(file, name)))
}
