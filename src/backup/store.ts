/**
 * The backups folder: listing, choosing one, retention. A backup counts only when its trailer and
 * manifest read back (format.ts); partial files (".NAME.partial-PID", written during a backup)
 * and damaged files are listed as not valid and never chosen or pruned.
 */
import {existsSync} from 'node:fs'
import {readdir, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {UsageError, ValidationError} from '@nself/sdk/errors'
import type {NselfConfig} from '../config/index.js'
import {EXTENSION, readManifest, type Manifest} from './format.js'
import {isAlive} from '../util/process.js'

export interface BackupEntry {
  name: string
  path: string
  size: number
  /** From the manifest; the file's modification time when it cannot be read. */
  createdAt: string
  valid: boolean
  /** Why it is not valid. */
  problem?: string
  manifest?: Manifest
}

/** Every backup file of the folder, newest first. */
export async function listBackups(dir: string): Promise<BackupEntry[]> {
  if (!existsSync(dir)) return []
  const names = (await readdir(dir)).filter((f) => f.endsWith(EXTENSION) && !f.startsWith('.'))
  const entries = await Promise.all(names.map((file) => describe(join(dir, file), file.slice(0, -EXTENSION.length))))
  return entries.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name))
}

async function describe(path: string, name: string): Promise<BackupEntry> {
  const info = await stat(path)
  try {
    const {manifest} = await readManifest(path)
    return {name, path, size: info.size, createdAt: manifest.createdAt, valid: true, manifest}
  } catch (error) {
    return {
      name,
      path,
      size: info.size,
      createdAt: info.mtime.toISOString(),
      valid: false,
      problem: (error as Error).message.replace(/^backup \S+ cannot be used: /, ''),
    }
  }
}

/** The named backup, or the newest valid one. */
export async function findBackup(dir: string, name?: string): Promise<BackupEntry> {
  const backups = await listBackups(dir)
  if (name !== undefined) {
    const wanted = name.endsWith(EXTENSION) ? name.slice(0, -EXTENSION.length) : name
    const found = backups.find((b) => b.name === wanted)
    if (!found) throw new UsageError(`no backup named "${wanted}" in ${dir}`, {hint: 'See nself db backup:list.'})
    return found
  }
  const valid = backups.filter((b) => b.valid)
  if (valid.length === 0)
    throw new ValidationError(`there is no valid backup in ${dir}`, {hint: 'Take one with: nself db backup'})
  // The snapshot a restore, reset or migration took of the state it replaced is a way back, never
  // the backup meant by "the newest": a second plain restore would otherwise undo the first.
  const newest = valid.find((b) => !isAutomaticSnapshot(b.name))
  if (!newest) {
    throw new ValidationError(
      `there is no backup in ${dir} to restore by default: only automatic snapshots (${valid[0].name} …)`,
      {
        hint: `Name one with --name (nself db backup:list shows them), e.g. --name ${valid[0].name}`,
      },
    )
  }
  return newest
}

/** Names of the snapshots nself takes before a change: pre-<reason>-YYYY-MM-DD-HH-MM-SS[-N]. */
export function isAutomaticSnapshot(name: string): boolean {
  return /^pre-[a-z0-9-]+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}(-\d+)?$/.test(name)
}

export interface PruneOptions {
  now?: Date
  dryRun?: boolean
  retentionDays?: number
}

/**
 * Removes valid backups older than DB_BACKUP_RETENTION_DAYS (0 keeps all), never the newest one.
 * Files that are not valid backups are left for a person to look at.
 */
export async function pruneBackups(config: NselfConfig, options: PruneOptions = {}): Promise<BackupEntry[]> {
  const days = options.retentionDays ?? config.settings.backupRetentionDays
  if (days <= 0) return []
  const cutoff = (options.now ?? new Date()).getTime() - days * 86_400_000
  const valid = (await listBackups(config.backupDir)).filter((b) => b.valid)
  const old = valid.slice(1).filter((b) => Date.parse(b.createdAt) < cutoff)
  if (!options.dryRun) for (const backup of old) await rm(backup.path, {force: true})
  return old
}

/** Partial files of backups whose process is gone (killed or crashed). */
export async function removeStalePartials(dir: string): Promise<string[]> {
  const removed: string[] = []
  for (const file of await readdir(dir)) {
    const match = /^\..+\.partial-(\d+)$/.exec(file)
    if (match && !isAlive(Number(match[1]))) {
      await rm(join(dir, file), {force: true})
      removed.push(file)
    }
  }
  return removed
}
