/**
 * Migration files on disk: `NNN_<slug>.up.sql` and `NNN_<slug>.down.sql` in the migrations folder.
 * The checksum is the sha256 of the up file's bytes: it is what was applied, so editing it later
 * is what status reports and migrate:up refuses.
 */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join, relative} from 'node:path'
import {ValidationError} from '@nself/sdk/errors'

export interface MigrationFile {
  version: string
  name: string
  upFile: string
  /** Undefined when there is no down file. */
  downFile?: string
  checksum: string
}

const FILE = /^(\d+)_([A-Za-z0-9_.-]+?)\.(up|down)\.sql$/

export function discoverMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) return []
  const byVersion = new Map<string, {name: string; up?: string; down?: string}>()
  for (const file of readdirSync(dir).sort()) {
    const match = FILE.exec(file)
    if (!match) continue
    const [, version, name, direction] = match
    const entry = byVersion.get(version) ?? {name}
    if (entry.name !== name) {
      throw new ValidationError(
        `two migrations share version ${version}: ${version}_${entry.name} and ${version}_${name}`,
        {
          hint: 'Give one of them the next free version number.',
        },
      )
    }
    entry[direction as 'up' | 'down'] = join(dir, file)
    byVersion.set(version, entry)
  }
  return [...byVersion.entries()]
    .map(([version, entry]) => toMigration(version, entry))
    .sort((a, b) => compareVersions(a.version, b.version))
}

function toMigration(version: string, entry: {name: string; up?: string; down?: string}): MigrationFile {
  if (!entry.up) {
    throw new ValidationError(`migration ${version}_${entry.name} has a down file but no up file`, {
      hint: `Add ${version}_${entry.name}.up.sql or remove the down file.`,
    })
  }
  return {version, name: entry.name, upFile: entry.up, downFile: entry.down, checksum: checksumFile(entry.up)}
}

export function checksumFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/** Numeric order, so "10" sorts after "009" and `--to 3` means 003. */
export function compareVersions(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b)
  return diff === 0n ? a.localeCompare(b) : diff < 0n ? -1 : 1
}

export function sameVersion(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) === BigInt(b)
}

/** The path to show: relative to the working directory when inside it, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') ? rel : path
}
