/**
 * How Hasura failures leave nself. The commands use the usual exit codes; the afterMigrate hook
 * uses its own, HASURA_METADATA_EXIT (7), so scripts can tell "migrations applied, metadata not
 * updated" from a failed migration.
 */
import {ConfigError, ConnectionError, ExitCode, NselfError, ValidationError} from '@nself/sdk/errors'
import {HasuraError} from './client.js'

export const HASURA_METADATA_EXIT = 7

const HINTS: Record<string, string> = {
  unreachable: 'start Hasura (docker compose up -d hasura) or set HASURA_GRAPHQL_ENDPOINT',
  unauthorized: 'set HASURA_GRAPHQL_ADMIN_SECRET (in .env.local) to the secret Hasura runs with',
  conflict: 'someone keeps changing the metadata; run it again',
  rejected: 'fix what Hasura names (the tables must exist in the database: apply the migrations first)',
  server: 'look at the Hasura server log',
  protocol: 'use Hasura v2.0 or newer',
}

/** A command's error for a Hasura failure: connection 4, secret 3, rejected 5, else 1. */
export function commandError(error: unknown): unknown {
  if (!(error instanceof HasuraError)) return error
  const options = {code: `NSELF_HASURA_${error.kind.toUpperCase()}`, hint: HINTS[error.kind], cause: error}
  if (error.kind === 'unreachable') return new ConnectionError(error.message, options)
  if (error.kind === 'unauthorized') return new ConfigError(error.message, options)
  if (error.kind === 'rejected') return new ValidationError(error.message, options)
  return new NselfError(error.message, ExitCode.failed, options)
}

/** The afterMigrate hook's error: always exit 7, the migrations stay applied. */
export function metadataStepError(error: unknown): NselfError {
  const cause = error instanceof Error ? error.message : String(error)
  const kind = error instanceof HasuraError ? error.kind : undefined
  const hint = (error as {hint?: string}).hint ?? (kind ? HINTS[kind] : undefined)
  return new NselfError(
    `the migrations are applied, but Hasura's metadata was not updated: ${cause}`,
    HASURA_METADATA_EXIT,
    {
      code: 'NSELF_HASURA_METADATA',
      cause: error,
      hint:
        hint ?? 'fix the cause, then run nself db migrate:up --update-hasura again (nothing to migrate, metadata only)',
    },
  )
}
