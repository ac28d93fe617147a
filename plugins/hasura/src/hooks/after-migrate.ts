/**
 * `migrate:up --update-hasura` (or HASURA_AUTO_UPDATE=true): after the migrations apply, Hasura's
 * metadata is brought in line with the schema (src/lib/sync.ts), also when nothing was pending (the
 * hooks fire on every run). A failure is an NselfError with exit code 7 (HASURA_METADATA_EXIT): the
 * core reports the run, then ends with it; the migrations stay applied.
 */
import type {AfterMigrateHook} from '@nself/sdk/hooks'
import {describeInconsistency} from '../lib/client.js'
import {metadataStepError} from '../lib/errors.js'
import {clientFor, hasuraSettings, isTrue, loadProject, loadProjectSchema} from '../lib/project.js'
import {desiredFromSchema, syncMetadata} from '../lib/sync.js'

const hook: AfterMigrateHook = async function (options) {
  if (options.direction !== 'up') return
  // The flag this plugin adds to migrate:up (package.json "nself.flags"); the core already fell back to
  // HASURA_AUTO_UPDATE. Commands without the flag (db reset) read the setting here.
  const flag = options.flags?.['update-hasura']
  const say = (line: string) => process.stderr.write(line + '\n')
  try {
    if (flag === false) return
    if (flag !== true && !isTrue(process.env.HASURA_AUTO_UPDATE)) {
      // The setting may also live in the project's .env files.
      const project = await loadProject(this.config, {})
      if (!isTrue(project.env.HASURA_AUTO_UPDATE)) return
    }
    if (options.error) {
      say('Hasura metadata not updated: the migration run failed.')
      return
    }
    const project = await loadProjectSchema(this.config)
    const settings = hasuraSettings(project.env)
    const desired = desiredFromSchema(project.schema)
    for (const note of desired.annotations.notes) say(`Note: ${note}`)
    const result = await syncMetadata(clientFor(settings), desired, {source: settings.source, dryRun: options.dryRun})
    if (options.dryRun) {
      say(
        result.changed
          ? `Hasura metadata changes (not applied, --dry-run):\n${result.diff.trimEnd()}`
          : 'Hasura metadata is up to date.',
      )
      return
    }
    const tracking = [
      result.tracked.length ? `tracked ${result.tracked.join(', ')}` : '',
      result.untracked.length ? `untracked ${result.untracked.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ')
    say(
      result.changed
        ? `Updated Hasura metadata (resource version ${result.resourceVersion}${result.attempts > 1 ? `, after ${result.attempts} attempts` : ''})${tracking ? `: ${tracking}` : ''}.`
        : 'Hasura metadata is up to date.',
    )
    if (result.inconsistent.length > 0) {
      say(`Warning: Hasura reports ${result.inconsistent.length} inconsistent object(s):`)
      for (const o of result.inconsistent) say(`  - ${describeInconsistency(o)}`)
    }
  } catch (error) {
    throw metadataStepError(error)
  }
}

export default hook
