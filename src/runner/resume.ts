/**
 * Making a non-transactional step safe to run again. A crash (or kill -9) can stop a run between
 * a concurrent index build and the history record, or in the middle of the build, which leaves
 * an INVALID index behind. `CREATE INDEX CONCURRENTLY IF NOT EXISTS` would then skip the broken
 * index silently, so before a concurrent build the runner looks at the index itself:
 * invalid → dropped and built again; valid → the build already finished, skip it.
 */
import type {Client} from 'pg'
import {quoteQualified} from '@nself/sdk/sql'
import type {IndexTarget, RunStep} from './plan.js'

export type ResumeDecision = 'run' | 'skip'

export async function resumeCheck(
  client: Client,
  step: RunStep & {kind: 'single'},
  resuming: boolean,
  notice?: (m: string) => void,
): Promise<ResumeDecision> {
  const target = step.index
  if (!target) return resuming && (await alreadyDone(client, step)) ? 'skip' : 'run'
  const valid = await indexValidity(client, target)
  if (target.action === 'drop') {
    if (valid === undefined) notice?.(`index ${target.name} is already gone: skipping its DROP INDEX CONCURRENTLY`)
    return valid === undefined ? 'skip' : 'run'
  }
  if (valid === true) {
    notice?.(`index ${target.name} already exists and is valid (built by an interrupted run): skipping`)
    return 'skip'
  }
  if (valid === false) {
    notice?.(`index ${target.name} is INVALID (a concurrent build was interrupted): dropping and building it again`)
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified(target)}`)
  }
  return 'run'
}

/** indisvalid of the index, or undefined when there is none by that name. */
async function indexValidity(client: Client, target: IndexTarget): Promise<boolean | undefined> {
  const {rows} = await client.query<{valid: boolean}>(
    `SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND (CASE WHEN $2::text IS NULL THEN pg_table_is_visible(c.oid) ELSE n.nspname = $2 END)`,
    [target.name, target.schema ?? null],
  )
  return rows[0]?.valid
}

function qualified(target: IndexTarget): string {
  return target.schema ? quoteQualified(target.schema, target.name) : quoteQualified(target.name)
}

/** An enum value added before the crash: running ADD VALUE again would fail with "already exists". */
async function alreadyDone(client: Client, step: RunStep & {kind: 'single'}): Promise<boolean> {
  const match = /^ALTER\s+TYPE\s+(\S+)\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'/i.exec(
    step.statement.sql,
  )
  if (!match) return false
  const {rows} = await client.query(`SELECT 1 FROM pg_enum WHERE enumtypid = $1::regtype AND enumlabel = $2`, [
    match[1],
    match[2].replace(/''/g, "'"),
  ])
  return rows.length > 0
}
