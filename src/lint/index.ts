/** Lint entry points: a plan's changes (db run) and migration files (db lint). */
import {readFileSync} from 'node:fs'
import {relative} from 'node:path'
import type {Change} from '../diff/change.js'
import {upSteps} from '../diff/steps.js'
import type {MigrationFile} from '../runner/files.js'
import {splitSql} from '@nself/sdk/sql'
import {type Finding, lintStatements} from './rules.js'

export {type Finding, RULE_IDS} from './rules.js'
export {safeChanges} from './safe.js'

export function lintChanges(changes: Change[], file: string): Finding[] {
  return lintStatements(upSteps(changes).map((s) => ({sql: s.sql, where: file})))
}

export function lintFile(path: string): Finding[] {
  const shown = relative(process.cwd(), path) || path
  return lintStatements(splitSql(readFileSync(path, 'utf8')).map((s) => ({sql: s.sql, where: `${shown}:${s.line}`})))
}

export function lintMigrations(migrations: MigrationFile[]): Finding[] {
  return migrations.flatMap((m) => lintFile(m.upFile))
}

/** "adding-foreign-key-constraint ×2, ban-drop-column ×1" */
export function summarizeFindings(findings: Finding[]): string {
  const counts = new Map<string, number>()
  for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1)
  return [...counts].map(([rule, n]) => `${rule} ×${n}`).join(', ')
}

export function renderFinding(f: Finding): string {
  const safe = f.safe ? `\n    safe form (db run --safe): ${f.safe}` : ''
  return `${f.where}: warning: ${f.message} (${f.source === 'squawk' ? 'squawk ' : 'nself '}${f.rule})\n    ${f.statement}${safe}`
}
