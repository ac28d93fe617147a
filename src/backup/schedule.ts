/**
 * `db backup:schedule`: a cron line that runs `nself db backup` in the project. cron is on nearly
 * every server and needs no unit files; the line carries a marker naming the project, so install
 * replaces it and remove finds it without touching anyone else's lines.
 * NSELF_CRONTAB_FILE=<file> edits that file instead of the user's crontab (tests; and
 * /etc/cron.d-style files); NSELF_CRONTAB=<path> names the crontab program.
 */
import {execFile} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
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

const marker = (root: string) => `# nself-backup ${root}`
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

export function validateCron(expression: string): string {
  const trimmed = expression.trim().replace(/\s+/g, ' ')
  const ok = /^@(hourly|daily|weekly|monthly|yearly|annually)$/.test(trimmed) || (trimmed.split(' ').length === 5 && /^[\d*/,\- a-zA-Z]+$/.test(trimmed))
  if (!ok) throw new UsageError(`"${expression}" is not a cron schedule: expected five fields such as "0 3 * * *" (03:00 every day) or @daily`)
  return trimmed
}

export function scheduleLine(target: ScheduleTarget, cron: string): string {
  const path = target.env?.PATH ?? process.env.PATH ?? '/usr/bin:/bin'
  const log = `${target.projectRoot}/.nself/backup-schedule.log`
  const command = `cd ${quote(target.projectRoot)} && PATH=${quote(path)} ${target.nself.map(quote).join(' ')} db backup >> ${quote(log)} 2>&1`
  return `${validateCron(cron)} ${command} ${marker(target.projectRoot)}`
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
    const child = execFile(env.NSELF_CRONTAB || 'crontab', ['-'], (error, _stdout, stderr) => (error ? reject(cronError(error, stderr)) : resolve()))
    child.stdin?.end(text)
  })
}

function cronError(error: {code?: unknown; message: string}, stderr: string): OperationError {
  if (error.code === 'ENOENT') return new OperationError('crontab was not found on this machine', {hint: 'Install cron, or schedule `nself db backup` with your own scheduler.'})
  return new OperationError(`crontab failed: ${stderr.trim() || error.message}`)
}
