/**
 * Migration files: database/migrations/NNN_<slug>.up.sql and .down.sql, and a snapshot of the
 * schema model after each generated migration, database/migrations/meta/NNN.json.
 *
 * The previous state for the next diff is the newest snapshot, so generation needs no database
 * and gives the same files every time. A hand-written migration (no snapshot) is not parsed: the
 * diff starts from the newest snapshot before it, and listing reports the migrations without one
 * so the command can warn that their changes are not part of the comparison.
 *
 * Statements PostgreSQL refuses inside a transaction are preceded by the line
 * `-- nself:no-transaction`, so the runner can run them on their own.
 */
import {existsSync} from 'node:fs'
import {link, mkdir, readdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {commentText} from '@nself/sdk/sql'
import type {Change} from '../diff/change.js'
import {MODEL_VERSION, type SchemaModel} from '../schema/model.js'
import {type ChangeStep, downSteps, upSteps} from '../diff/steps.js'
import {discoverMigrations, type MigrationFile} from '../runner/files.js'

export const NO_TRANSACTION_MARKER = '-- nself:no-transaction'

const SNAPSHOT_FILE = /^(\d{3,})\.json$/

export interface MigrationsState {
  migrations: MigrationFile[]
  /** Versions with a snapshot, ascending. */
  snapshots: string[]
  /** The newest snapshot's model, or undefined before the first generated migration. */
  latest?: {version: string; model: SchemaModel}
  /** Migrations newer than the newest snapshot (hand-written): their changes are not in `latest`. */
  unsnapshotted: MigrationFile[]
}

const byVersion = (a: string, b: string): number => Number(a) - Number(b)

export async function readMigrationsState(dir: string): Promise<MigrationsState> {
  const migrations = discoverMigrations(dir)
  const metaDir = join(dir, 'meta')
  const snapshots = existsSync(metaDir)
    ? (await readdir(metaDir)).flatMap((f) => SNAPSHOT_FILE.exec(f)?.[1] ?? []).sort(byVersion)
    : []
  const newest = snapshots.at(-1)
  const latest = newest === undefined ? undefined : {version: newest, model: await readSnapshot(dir, newest)}
  const unsnapshotted = migrations.filter((m) => newest === undefined || byVersion(m.version, newest) > 0)
  return {migrations, snapshots, latest, unsnapshotted}
}

export async function readSnapshot(dir: string, version: string): Promise<SchemaModel> {
  // "verified" is the verification record kept beside the model (src/verify/record.ts), not part of it.
  const {verified: _verified, ...model} = JSON.parse(
    await readFile(join(dir, 'meta', `${version}.json`), 'utf8'),
  ) as SchemaModel & {verified?: unknown}
  // Written by any nself version, so its version field can hold anything until checked.
  const found: unknown = model.version
  if (found !== MODEL_VERSION) {
    throw new Error(
      `snapshot meta/${version}.json has model version ${String(found)}; this nself reads version ${MODEL_VERSION}`,
    )
  }
  return model
}

/** Next free sequence number, three digits (more when past 999). */
export function nextVersion(state: {migrations: {version: string}[]; snapshots: string[]}): string {
  const numbers = [...state.migrations.map((m) => Number(m.version)), ...state.snapshots.map(Number)]
  const next = numbers.length === 0 ? 1 : Math.max(...numbers) + 1
  return String(next).padStart(3, '0')
}

export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50)
    .replace(/_+$/, '')
  return slug || 'migration'
}

/** The file slug: from --message, "initial" for the first migration, else a summary of the changes. */
export function migrationSlug(changes: Change[], message: string | undefined, first: boolean): string {
  if (message) return slugify(message)
  if (first) return 'initial'
  const head = slugify(changes[0]?.summary.replace(/\(.*\)/, '').replace(/\bpublic\./g, '') ?? 'migration')
  return changes.length > 1 ? `${head}_and_${changes.length - 1}_more` : head
}

/** The model as stored in a snapshot: without source locations, which change with every edit. */
export function snapshotText(model: SchemaModel): string {
  return JSON.stringify(model, (key, value: unknown) => (key === 'loc' ? undefined : value), 2) + '\n'
}

/**
 * One comment line. Summaries carry names from the schema, and a line break in one would end the
 * comment and make the rest SQL: every comment line is written through commentText.
 */
function comment(text: string): string {
  return `-- ${commentText(text)}`
}

function bulletList(title: string, lines: string[]): string[] {
  if (lines.length === 0) return [comment(`${title}: none`)]
  return [comment(`${title}:`), ...lines.map((l) => comment(`  - ${l}`))]
}

function renderSteps(steps: ChangeStep[], label: (c: Change) => string[]): string[] {
  const out: string[] = []
  let current: Change | undefined
  for (const step of steps) {
    if (step.change !== current) {
      current = step.change
      out.push('', ...label(current))
    }
    if (!step.transactional) out.push(NO_TRANSACTION_MARKER)
    out.push(`${step.sql};`)
  }
  return out
}

export interface RenderedMigration {
  up: string
  down: string
}

/** Both files' text. Deterministic: no dates, so the same plan always gives the same bytes. */
export function renderMigration(
  changes: Change[],
  id: string,
  source = 'database/schema.dbml',
  verification?: string,
): RenderedMigration {
  const up = upSteps(changes)
  const down = downSteps(changes)
  const upHeader = [
    comment(`nself migration ${id} (up), generated by \`nself db run\` from ${source}.`),
    ...(verification ? [comment(verification)] : []),
    ...bulletList(
      'Changes',
      changes.map((c) => c.summary),
    ),
    ...bulletList(
      'Destructive',
      changes.filter((c) => c.destructive).map((c) => `${c.summary}${c.dataLoss ? `: ${c.dataLoss}` : ''}`),
    ),
    ...bulletList(`Outside a transaction (each after a "${NO_TRANSACTION_MARKER}" line)`, noTxSummaries(up)),
  ]
  const lost = changes.filter((c) => c.dataLoss)
  const downHeader = [
    comment(`nself migration ${id} (down): undoes ${id}.up.sql, last change first.`),
    ...(verification ? [comment(verification)] : []),
    ...bulletList(
      'Data this down cannot bring back (the up lost it)',
      lost.map((c) => `${c.summary}: ${c.dataLoss}`),
    ),
    ...bulletList(
      'Data this down loses',
      changes.filter((c) => c.reverseDataLoss).map((c) => `undo ${c.summary}: ${c.reverseDataLoss}`),
    ),
    ...bulletList(`Outside a transaction (each after a "${NO_TRANSACTION_MARKER}" line)`, noTxSummaries(down)),
  ]
  const upBody = renderSteps(up, (c) => [comment(c.summary)])
  const downBody = renderSteps(down, (c) => [
    comment(`undo: ${c.summary}`),
    ...(c.dataLoss ? [comment(`data not restored: ${c.dataLoss} (the up dropped it)`)] : []),
  ])
  // Changes with nothing to undo (a platform schema is kept) still get a line, so the down reads complete.
  for (const c of [...changes].reverse()) {
    if (c.reverse.length === 0) downBody.push('', comment(`undo: ${c.summary}: nothing to do (kept on purpose)`))
  }
  return {up: [...upHeader, ...upBody, ''].join('\n'), down: [...downHeader, ...downBody, ''].join('\n')}
}

function noTxSummaries(steps: ChangeStep[]): string[] {
  return [...new Set(steps.filter((s) => !s.transactional).map((s) => s.change.summary))]
}

export interface WrittenMigration {
  version: string
  name: string
  upFile: string
  downFile: string
  snapshotFile: string
}

export async function writeMigration(
  dir: string,
  version: string,
  slug: string,
  rendered: RenderedMigration,
  model: SchemaModel,
  /** The verification record (src/verify/record.ts), or false when the pair was not verified. */
  verified?: object | false,
): Promise<WrittenMigration> {
  await mkdir(join(dir, 'meta'), {recursive: true})
  const name = `${version}_${slug}`
  const result = {
    version,
    name,
    upFile: join(dir, `${name}.up.sql`),
    downFile: join(dir, `${name}.down.sql`),
    snapshotFile: join(dir, 'meta', `${version}.json`),
  }
  await writeAllOrNothing([
    [result.upFile, rendered.up],
    [result.downFile, rendered.down],
    [result.snapshotFile, snapshotText(verified === undefined ? model : ({...model, verified} as SchemaModel))],
  ])
  return result
}

/**
 * Each file is written under a temporary name first, then linked to its name (link, unlike rename,
 * never replaces a file someone else wrote meanwhile); if any step fails, what was written is removed.
 */
async function writeAllOrNothing(files: Array<[path: string, text: string]>): Promise<void> {
  const temporary = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}`)
  const published: string[] = []
  try {
    for (const [path, text] of files) await writeFile(temporary(path), text, {flag: 'wx'})
    for (const [path] of files) {
      await publish(temporary(path), path)
      published.push(path)
    }
  } catch (error) {
    await Promise.all(published.map((path) => rm(path, {force: true})))
    throw error
  } finally {
    await Promise.all(files.map(([path]) => rm(temporary(path), {force: true})))
  }
}

async function publish(temporary: string, path: string): Promise<void> {
  try {
    await link(temporary, path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code)) throw error
    // A filesystem without hard links: the folder lock keeps other nself runs out meanwhile.
    if (existsSync(path)) throw Object.assign(new Error(`EEXIST: ${path} exists`), {code: 'EEXIST'})
    await rename(temporary, path)
  }
}
