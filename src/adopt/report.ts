/** What `db pull` and `db baseline` print, as lines (the commands stay thin). */
import {displayPath} from '../runner/files.js'
import {reportLines, summary} from './extras.js'
import type {PullResult} from './pull.js'

export function pullReport(result: PullResult, shownSchema: string, keepExtras: boolean): string[] {
  const lines = [
    result.written
      ? `Wrote ${shownSchema}: ${result.tables} table${result.tables === 1 ? '' : 's'}.`
      : `${shownSchema} already matches the database (${result.tables} tables); left as it is.`,
  ]
  if (result.baseline)
    lines.push(`Recorded the database as migration ${result.baseline}_baseline (applied; nothing was run).`)
  for (const f of result.files) lines.push(`  wrote ${displayPath(f)}`)
  if (result.extras.length === 0) return lines
  lines.push(`Not expressible in DBML: ${summary(result.extras)}.`)
  lines.push(...reportLines(result.extras).map((l) => `  ${l}`))
  if (!keepExtras) lines.push('Pass --keep-extras to write them into a migration, so a new database gets them too.')
  return lines
}
