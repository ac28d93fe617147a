/**
 * Turns the events of the migration runner and of the seeder into calls on one ProgressReporter,
 * so migrate up/down, reset and seed show progress the same way (see progress.ts).
 */
import {commentText} from '@nself/sdk/sql'
import type {PlannedMigration, Reporter} from '../runner/index.js'
import type {SeedEvent, SeedFileResult} from '../seed/index.js'
import type {ProgressReporter, ProgressStep} from './progress.js'

/** The runner's Reporter, plus the start and end of the display around a run. */
export interface MigrationProgress extends Reporter {
  start(planned: PlannedMigration[]): Promise<void>
  finish(error?: Error): Promise<void>
}

export function label(m: PlannedMigration): string {
  return `${m.direction === 'up' ? 'apply' : 'roll back'} ${m.version}_${m.name}`
}

/** showSql: print each statement before it runs (the runner then sends statements one by one). */
export function migrationProgress(reporter: ProgressReporter, showSql = false): MigrationProgress {
  // Only when asked for: the runner batches migrations unless someone listens to statements.
  const statement: Reporter['statement'] = showSql
    ? (m, s) => reporter.detail(`-- ${commentText(`${m.version}_${m.name}`)}:${s.line}\n${s.sql};`)
    : undefined
  return {
    start: (planned) => reporter.start(planned.map((m) => ({id: m.version, title: label(m)}))),
    finish: (error) => reporter.finish(error),
    migrationStart: (m) => reporter.running(m.version, `${label(m)}: ${m.file}, ${describePlan(m)}`),
    migrationDone: (m, ms) => reporter.done(m.version, `${label(m)} (${ms} ms)`),
    migrationFailed: (m, error) => reporter.failed(m.version, error),
    ...(statement ? {statement} : {}),
    notice: (message) => reporter.notice(message),
    debug: (message) => reporter.debug(message),
  }
}

/** "3 statement(s): transaction (2), alone (line 4: concurrent index build)" for --verbose. */
export function describePlan(m: PlannedMigration): string {
  const steps = m.steps.map((s) =>
    s.kind === 'transaction' ? `transaction (${s.statements.length})` : `alone (line ${s.statement.line}: ${s.reason})`,
  )
  const resume = m.resumeFrom ? `; continues after statement ${m.resumeFrom}` : ''
  return `${m.statements.length} statement(s): ${steps.join(', ') || 'nothing to run'}${resume}`
}

/**
 * The seeder's onEvent. The display starts with the first file, not at the plan: between the two,
 * --fresh may ask before emptying tables, and a prompt cannot share the terminal with it.
 * Call reporter.finish() after the seed run (withProgress does), also when it failed.
 */
export function seedProgress(reporter: ProgressReporter): (event: SeedEvent) => void {
  let steps: ProgressStep[] | undefined
  const begin = () => {
    if (!steps) return
    void reporter.start(steps).catch((error: Error) => reporter.debug(`progress display: ${error.message}`))
    steps = undefined
  }
  return (event) => {
    if (event.type === 'plan') steps = event.files.map((f) => ({id: f.file, title: `${f.file} → ${f.table}`}))
    else if (event.type === 'notice') reporter.notice(`Note: ${event.message}`)
    else if (event.type === 'start') {
      begin()
      reporter.running(event.file)
    } else {
      begin()
      if (event.result.status === 'applied') reporter.done(event.result.file, describeSeedFile(event.result))
      else reporter.skipped(event.result.file, describeSeedFile(event.result))
    }
  }
}

export function describeSeedFile(file: SeedFileResult): string {
  if (file.status === 'skipped') return `skipped  ${file.file}: ${file.reason}`
  if (file.status === 'changed') return `changed  ${file.file}: ${file.reason}`
  // "loaded": the rows are in the run's transaction, not yet committed; the command says when they are.
  return `loaded   ${file.file} → ${file.table}: ${file.rows} rows in ${file.ms} ms`
}
