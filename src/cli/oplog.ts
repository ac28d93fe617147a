/**
 * The operations log: one JSON line per `nself db` command that touched a database, in
 * .nself/logs/db.log. It answers "who migrated production, when, and did it work" without a
 * server-side audit. Lines hold no connection string and no error text that could carry one:
 * only the stable error code.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync, statSync, openSync, readSync, closeSync} from 'node:fs'
import {dirname, join} from 'node:path'

export interface OpLogEntry {
  time: string
  environment: string
  command: string
  database: string
  outcome: 'ok' | 'error'
  durationMs: number
  /** Exit code and stable error code when outcome is error. */
  exit?: number
  code?: string
}

export function opLogPath(stateDir: string): string {
  return join(stateDir, 'logs', 'db.log')
}

export function appendOpLog(stateDir: string, entry: OpLogEntry): void {
  const path = opLogPath(stateDir)
  mkdirSync(dirname(path), {recursive: true})
  // One write() per line with O_APPEND: concurrent commands never interleave within a line.
  appendFileSync(path, JSON.stringify(entry) + '\n')
}

export function readOpLog(stateDir: string, lines: number): OpLogEntry[] {
  const path = opLogPath(stateDir)
  if (!existsSync(path)) return []
  return parseLines(readFileSync(path, 'utf8')).slice(-lines)
}

function parseLines(text: string): OpLogEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as OpLogEntry]
      } catch {
        return [] // a line cut short by a crash: skip it rather than fail the whole log
      }
    })
}

/** Calls onEntry for every line appended after now, until the signal aborts. */
export async function followOpLog(
  stateDir: string,
  onEntry: (e: OpLogEntry) => void,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  const path = opLogPath(stateDir)
  let offset = existsSync(path) ? statSync(path).size : 0
  let rest = ''
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, intervalMs))
    if (!existsSync(path)) continue
    const size = statSync(path).size
    if (size < offset) offset = 0 // truncated or rotated
    if (size === offset) continue
    const chunk = readRange(path, offset, size)
    offset = size
    const text = rest + chunk
    const cut = text.lastIndexOf('\n')
    rest = text.slice(cut + 1)
    for (const entry of parseLines(text.slice(0, cut + 1))) onEntry(entry)
  }
}

function readRange(path: string, from: number, to: number): string {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(to - from)
    readSync(fd, buffer, 0, buffer.length, from)
    return buffer.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

export function formatOpLog(e: OpLogEntry): string {
  const outcome = e.outcome === 'ok' ? 'ok' : `error${e.code ? ` ${e.code}` : ''} (exit ${e.exit})`
  return `${e.time}  ${e.environment.padEnd(11)} ${e.command.padEnd(22)} ${e.database.padEnd(16)} ${outcome.padEnd(10)} ${e.durationMs} ms`
}
