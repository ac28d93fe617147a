/**
 * `db backup:schedule`: a cron line that runs `nself db backup` in the project. cron is on nearly
 * every server and needs no unit files; the line carries a marker naming the project, so install
 * replaces it and remove finds it without touching anyone else's lines.
 * NSELF_CRONTAB_FILE=<file> edits that file instead of the user's crontab (tests; and
 * /etc/cron.d-style files); NSELF_CRONTAB=<path> names the crontab program.
 */
import {execFile} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {CronExpressionParser} from 'cron-parser'
import {OperationError, UsageError} from '@nself/sdk/errors'

export interface ScheduleTarget {
  projectRoot: string
  /** The command cron runs, e.g. ['/usr/bin/node', '/…/bin/run.js']. */
  nself: string[]
  env?: NodeJS.ProcessEnv
}

export interface Schedule {
  cron: string
  line: string
}

/** cron turns an unescaped % in the command part of a line into a line break (and cuts the command there). */
const cronEscape = (s: string) => s.replace(/%/g, '\\%')
const marker = (root: string) => cronEscape(`# nself-backup ${root}`)
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
const SHAPE = 'five fields such as "0 3 * * *" (03:00 every day) or @daily'

/**
 * A crontab schedule, checked field by field (ranges, steps, lists, month and day names) by
 * cron-parser, a maintained parser of the crontab syntax, rather than a pattern of our own that let
 * "61 * * * *" through; cron itself would only reject the line when it loads the crontab.
 */
export function validateCron(expression: string): string {
  const trimmed = expression.trim().replace(/\s+/g, ' ')
  if (/^@(hourly|daily|weekly|monthly|yearly|annually)$/.test(trimmed)) return trimmed
  if (trimmed.split(' ').length !== 5) throw new UsageError(`"${expression}" is not a cron schedule: expected ${SHAPE}`)
  try {
    CronExpressionParser.parse(trimmed, {strict: false})
  } catch (error) {
    throw new UsageError(`"${expression}" is not a cron schedule: ${(error as Error).message}; expected ${SHAPE}`)
  }
  return trimmed
}

export function scheduleLine(target: ScheduleTarget, cron: string): string {
  const path = target.env?.PATH ?? process.env.PATH ?? '/usr/bin:/bin'
  const log = `${target.projectRoot}/.nself/backup-schedule.log`
  const parts = [target.projectRoot, path, ...target.nself]
  if (parts.some((p) => /[\n\r]/.test(p))) {
    throw new UsageError(
      'cannot schedule backups: the project path, PATH or the nself path holds a line break, which a crontab line cannot carry',
    )
  }
  const command = `cd ${quote(target.projectRoot)} && PATH=${quote(path)} ${target.nself.map(quote).join(' ')} db backup >> ${quote(log)} 2>&1`
  return `${validateCron(cron)} ${cronEscape(command)} ${marker(target.projectRoot)}`
}

export async function showSchedule(target: ScheduleTarget): Promise<Schedule | undefined> {
  const line = (await readCrontab(target.env)).split('\n').find((l) => l.endsWith(marker(target.projectRoot)))
  if (!line) return undefined
  const fields = line.startsWith('@') ? 1 : 5
  return {cron: line.split(' ').slice(0, fields).join(' '), line}
}

export async function installSchedule(target: ScheduleTarget, cron: string): Promise<Schedule> {
  const line = scheduleLine(target, cron)
  const others = withoutOurs(await readCrontab(target.env), target.projectRoot)
  await writeCrontab([...others, line].join('\n') + '\n', target.env)
  return {cron: validateCron(cron), line}
}

export async function removeSchedule(target: ScheduleTarget): Promise<boolean> {
  const current = await readCrontab(target.env)
  const others = withoutOurs(current, target.projectRoot)
  if (others.length === current.split('\n').filter((l) => l !== '').length) return false
  await writeCrontab(others.length ? others.join('\n') + '\n' : '', target.env)
  return true
}

function withoutOurs(crontab: string, root: string): string[] {
  return crontab.split('\n').filter((l) => l !== '' && !l.endsWith(marker(root)))
}

async function readCrontab(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = env.NSELF_CRONTAB_FILE
  if (file) return existsSync(file) ? readFileSync(file, 'utf8') : ''
  return new Promise((resolve, reject) => {
    execFile(env.NSELF_CRONTAB || 'crontab', ['-l'], (error, stdout, stderr) => {
      if (!error) return resolve(stdout)
      if (/no crontab/i.test(stderr)) return resolve('') // a user without a crontab yet
      reject(cronError(error, stderr))
    })
  })
}

async function writeCrontab(text: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = env.NSELF_CRONTAB_FILE
  if (file) return writeFileSync(file, text, {mode: 0o600})
  await new Promise<void>((resolve, reject) => {
    const child = execFile(env.NSELF_CRONTAB || 'crontab', ['-'], (error, _stdout, stderr) =>
      error ? reject(cronError(error, stderr)) : resolve(),
    )
    child.stdin?.end(text)
  })
}

function cronError(error: {code?: unknown; message: string}, stderr: string): OperationError {
  if (error.code === 'ENOENT')
    return new OperationError('crontab was not found on this machine', {
      hint: 'Install cron, or schedule `nself db backup` with your own scheduler.',
    })
  return new OperationError(`crontab failed: ${stderr.trim() || error.message}`)
}
