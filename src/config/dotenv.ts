/**
 * .env files read with the `dotenv` package's parser (the convention users know: quotes,
 * `# comments`, `export`, multi-line quoted values), plus where each value came from (file and
 * line), so a bad setting can be reported as "DB_MIGRATION_LOCK_TIMEOUT=abc in .env.local:7".
 */
import {readFileSync} from 'node:fs'
import dotenv from 'dotenv'
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

const assignment = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=|:\s)\s*(.*)$/

export function parseEnv(text: string, label: string): EnvEntries {
  const values = dotenv.parse(text)
  const lines = lineOfEachKey(text, label)
  const entries: EnvEntries = new Map()
  for (const [key, value] of Object.entries(values)) {
    entries.set(key, {value, source: label, line: lines.get(key)})
  }
  return entries
}

/**
 * The line where each key is (last) set. dotenv skips lines it cannot read without a word; we
 * refuse them instead, so a typo does not silently drop a setting.
 */
function lineOfEachKey(text: string, label: string): Map<string, number> {
  const found = new Map<string, number>()
  let openQuote: string | undefined
  text.split(/\r?\n/).forEach((raw, index) => {
    if (openQuote) {
      if (raw.includes(openQuote)) openQuote = undefined
      return
    }
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const match = assignment.exec(line)
    if (!match) {
      throw new ConfigError(`${label}:${index + 1}: cannot read this line: expected NAME=value`, {
        hint: 'Fix or remove the line; comments start with #.',
      })
    }
    found.set(match[1], index + 1)
    openQuote = unclosedQuote(match[2])
  })
  return found
}

/** The quote character of a value that starts quoted and continues on the next lines. */
function unclosedQuote(value: string): string | undefined {
  const quote = value[0]
  if (quote !== '"' && quote !== "'" && quote !== '`') return undefined
  return value.indexOf(quote, 1) === -1 ? quote : undefined
}
