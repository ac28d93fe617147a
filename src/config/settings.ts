/**
 * Every setting nself reads, its default, and what values are allowed. A bad value is a
 * ConfigError naming the variable, the file it came from and what is allowed.
 */
import {ConfigError} from '@nself/sdk/errors'
import type {EnvEntries} from './dotenv.js'

export interface Settings {
  migrationTable: string
  migrationLockTimeoutSeconds: number
  migrationStatementTimeoutSeconds: number
  backupRetentionDays: number
  backupCompression: boolean
  /** As written (relative paths are resolved against the project root by the caller). */
  backupLocation: string
  autoMigrate: boolean
  confirmDestructive: boolean
  seedOnInit: boolean
}

type Parser<T> = (raw: string) => T | undefined

const integer: Parser<number> = (raw) => (/^\d+$/.test(raw) ? Number(raw) : undefined)
/** A whole number from 0 to max: PostgreSQL's timeouts are milliseconds in a 32-bit integer. */
const upTo =
  (max: number): Parser<number> =>
  (raw) => {
    const value = integer(raw)
    return value !== undefined && value <= max ? value : undefined
  }
const MAX_TIMEOUT_SECONDS = Math.floor(2_147_483_647 / 1000)
const boolean: Parser<boolean> = (raw) => {
  const lower = raw.toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(lower)) return true
  if (['false', '0', 'no', 'off'].includes(lower)) return false
  return undefined
}
const tableName: Parser<string> = (raw) =>
  /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/.test(raw) && !inSystemSchema(raw) ? raw : undefined
/** PostgreSQL keeps pg_* schemas and information_schema for itself: a history table cannot live there. */
function inSystemSchema(name: string): boolean {
  if (!name.includes('.')) return false
  const schema = name.split('.')[0]
  return schema.startsWith('pg_') || schema === 'information_schema'
}
const path: Parser<string> = (raw) => (raw.trim() === '' ? undefined : raw.trim())

interface SettingSpec<K extends keyof Settings> {
  key: K
  variable: string
  parse: Parser<Settings[K]>
  fallback: Settings[K]
  allowed: string
}

const specs: {[K in keyof Settings]: SettingSpec<K>} = {
  migrationTable: {
    key: 'migrationTable',
    variable: 'DB_MIGRATION_TABLE',
    parse: tableName,
    fallback: 'schema_migrations',
    allowed:
      'a lower-case table name, optionally schema-qualified (schema_migrations, nself.migrations), not in pg_* or information_schema',
  },
  migrationLockTimeoutSeconds: {
    key: 'migrationLockTimeoutSeconds',
    variable: 'DB_MIGRATION_LOCK_TIMEOUT',
    parse: upTo(MAX_TIMEOUT_SECONDS),
    fallback: 60,
    allowed: `a whole number of seconds from 0 to ${MAX_TIMEOUT_SECONDS} (0 = do not wait)`,
  },
  migrationStatementTimeoutSeconds: {
    key: 'migrationStatementTimeoutSeconds',
    variable: 'DB_MIGRATION_STATEMENT_TIMEOUT',
    parse: upTo(MAX_TIMEOUT_SECONDS),
    fallback: 300,
    allowed: `a whole number of seconds from 0 to ${MAX_TIMEOUT_SECONDS} (0 = no limit)`,
  },
  backupRetentionDays: {
    key: 'backupRetentionDays',
    variable: 'DB_BACKUP_RETENTION_DAYS',
    parse: upTo(100_000),
    fallback: 30,
    allowed: 'a whole number of days from 0 to 100000 (0 = keep every backup)',
  },
  backupCompression: {
    key: 'backupCompression',
    variable: 'DB_BACKUP_COMPRESSION',
    parse: boolean,
    fallback: false,
    allowed: 'true or false',
  },
  backupLocation: {
    key: 'backupLocation',
    variable: 'DB_BACKUP_LOCATION',
    parse: path,
    fallback: './database/backups',
    allowed: 'a directory path, relative to the project or absolute',
  },
  autoMigrate: {
    key: 'autoMigrate',
    variable: 'DB_AUTO_MIGRATE',
    parse: boolean,
    fallback: false,
    allowed: 'true or false',
  },
  confirmDestructive: {
    key: 'confirmDestructive',
    variable: 'DB_CONFIRM_DESTRUCTIVE',
    parse: boolean,
    fallback: false,
    allowed: 'true or false',
  },
  seedOnInit: {
    key: 'seedOnInit',
    variable: 'DB_SEED_ON_INIT',
    parse: boolean,
    fallback: false,
    allowed: 'true or false',
  },
}

export function parseSettings(env: EnvEntries): Settings {
  const out = {} as Record<keyof Settings, unknown>
  for (const spec of Object.values(specs) as SettingSpec<keyof Settings>[]) {
    out[spec.key] = readSetting(env, spec.variable, spec.parse, spec.allowed) ?? spec.fallback
  }
  return out as Settings
}

/** The parsed value, undefined when unset or empty; a ConfigError when set but invalid. */
export function readSetting<T>(env: EnvEntries, variable: string, parse: Parser<T>, allowed: string): T | undefined {
  const entry = env.get(variable)
  if (!entry || entry.value === '') return undefined
  const value = parse(entry.value)
  if (value === undefined) throw invalidSetting(env, variable, allowed)
  return value
}

/** "DB_X="v" in .env.local:3 is not valid: expected …", the value left out for secrets. */
export function invalidSetting(
  env: EnvEntries,
  variable: string,
  allowed: string,
  options: {secret?: boolean} = {},
): ConfigError {
  const entry = env.get(variable)!
  const where = entry.line ? `${entry.source}:${entry.line}` : entry.source
  const shown = options.secret ? variable : `${variable}=${JSON.stringify(entry.value)}`
  return new ConfigError(`${shown} in ${where} is not valid: expected ${allowed}`, {
    hint: `Fix ${variable} in ${entry.source}, or remove it to use the default.`,
    code: 'NSELF_CONFIG_INVALID',
  })
}

export const parsers = {integer, boolean}
