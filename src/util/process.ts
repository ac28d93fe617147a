import {readFileSync} from 'node:fs'

/**
 * Whether a process with this pid exists and runs (EPERM: it does, but belongs to another user).
 * A zombie (killed, not yet reaped by its parent) answers signal 0 like a live process but will never
 * serve again: on Linux its state in /proc says so, and it counts as dead.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** True when /proc says the process has exited (Z zombie, X dead); false where there is no /proc. */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state …": comm may hold spaces and parentheses, so read after the last ")".
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state === 'Z' || state === 'X'
  } catch {
    return false
  }
}
