/**
 * A lock file in a folder, for commands that write several files there (db run: up, down, snapshot)
 * and must not interleave with another process doing the same. Taken with O_EXCL; it holds the
 * owner's pid, so a lock left by a process that died (kill -9) is recognised and taken over.
 */
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {NselfError} from '@nself/sdk/errors'
import {isAlive} from './process.js'

export const LOCK_FILE = '.nself.lock'

export class FolderLockedError extends NselfError {
  constructor(dir: string, what: string, pid: number | undefined) {
    super(`another ${what} is writing in ${dir}${pid ? ` (pid ${pid})` : ''}: nothing was written`, 1, {
      code: 'NSELF_FOLDER_LOCKED',
      hint: `Wait for it to finish, then run this again. If no such process runs, remove ${join(dir, LOCK_FILE)}.`,
    })
  }
}

/** Runs fn while holding dir's lock file; `what` names the holder in the other process's message. */
export async function withFolderLock<T>(dir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const created = !existsSync(dir)
  mkdirSync(dir, {recursive: true})
  const lock = join(dir, LOCK_FILE)
  take(lock, dir, what)
  try {
    return await fn()
  } finally {
    rmSync(lock, {force: true})
    // A folder made only to hold the lock goes again when nothing was written in it.
    if (created) {
      try {
        rmdirSync(dir)
      } catch {
        // not empty (something was written, or another run took it meanwhile): kept
      }
    }
  }
}

function take(lock: string, dir: string, what: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o644)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = holder(lock)
      // Only a lock whose owner is known to be gone is taken over; a lock still being written is not.
      if (pid === undefined || isAlive(pid)) throw new FolderLockedError(dir, what, pid)
      rmSync(lock, {force: true})
    }
  }
  throw new FolderLockedError(dir, what, holder(lock))
}

function holder(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim())
    return pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}
