/**
 * A small .env reader that remembers where each value came from (file and line), so a bad
 * setting can be reported as "DB_MIGRATION_LOCK_TIMEOUT=abc in .env.local:7".
 */
import {readFileSync} from 'node:fs'
import {ConfigError} from '@nself/sdk/errors'

export interface EnvEntry {
  value: string
  /** File name relative to the project ("process environment" for the process's own variables). */
  source: string
  line?: number
}

export type EnvEntries = Map<string, EnvEntry>

export function readEnvFile(path: string, label: string): EnvEntries {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw new ConfigError(`cannot read ${label}: ${(error as Error).message}`)
  }
  return parseEnv(text, label)
}

export function parseEnv(text: string, label: string): EnvEntries {
  const entries: EnvEntries = new Map()
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (!match) {
      throw new ConfigError(`${label}:${index + 1}: cannot read this line: expected NAME=value`, {
        hint: 'Fix or remove the line; comments start with #.',
      })
    }
    entries.set(match[1], {value: unquote(match[2]), source: label, line: index + 1})
  })
  return entries
}

function unquote(value: string): string {
  const quote = value[0]
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1)
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\') : inner
  }
  // Unquoted: a trailing " # comment" is not part of the value.
  return value.replace(/\s+#.*$/, '').trim()
}
