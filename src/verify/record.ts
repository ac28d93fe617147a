/**
 * Which migration files were proven on a scratch database. `db run` stores the record in the
 * pair's snapshot (meta/NNN.json, key "verified"); `db validate --check-down NNN` stores it for a
 * hand-written pair in meta/NNN.verified.json. Each record holds the sha256 of the up and down
 * files as verified, so an edit after verification is noticed (migrate:down in production refuses
 * a down file whose checksum no record holds).
 */
import {createHash} from 'node:crypto'
import {constants, existsSync, readFileSync} from 'node:fs'
import {mkdir, open} from 'node:fs/promises'
import {join} from 'node:path'

export interface VerificationRecord {
  /** "PostgreSQL 15.8" */
  server: string
  up: string
  down: string
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex')

export function recordFor(rendered: {up: string; down: string}, server: string): VerificationRecord {
  return {server, up: sha256(rendered.up), down: sha256(rendered.down)}
}

/** Every record kept for `version` (snapshot and side file). */
export function readRecords(migrationsDir: string, version: string): VerificationRecord[] {
  const records: VerificationRecord[] = []
  for (const [file, pick] of [
    [join(migrationsDir, 'meta', `${version}.json`), (j: {verified?: unknown}) => j.verified],
    [join(migrationsDir, 'meta', `${version}.verified.json`), (j: unknown) => j],
  ] as const) {
    if (!existsSync(file)) continue
    try {
      const record = pick(JSON.parse(readFileSync(file, 'utf8')) as {verified?: unknown}) as
        VerificationRecord | false | undefined
      if (record && typeof record.down === 'string') records.push(record)
    } catch {
      // An unreadable record proves nothing: the file counts as not verified.
    }
  }
  return records
}

/** Undefined when the down file's bytes are those of a verified pair, else why not. */
export function unverifiedDownReason(migrationsDir: string, version: string, downFile: string): string | undefined {
  const records = readRecords(migrationsDir, version)
  if (records.length === 0)
    return 'no verification record (generated with --no-verify, by an older nself, or hand-written)'
  const checksum = sha256(readFileSync(downFile))
  if (records.some((r) => r.down === checksum)) return undefined
  return 'the file changed after it was verified (its checksum matches no verification record)'
}

export async function writeSideRecord(
  migrationsDir: string,
  version: string,
  record: VerificationRecord,
): Promise<string> {
  const file = join(migrationsDir, 'meta', `${version}.verified.json`)
  await mkdir(join(migrationsDir, 'meta'), {recursive: true})
  // O_NOFOLLOW: a link planted at that name is refused, never written through.
  const handle = await open(
    file,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o644,
  )
  try {
    await handle.writeFile(JSON.stringify(record, null, 2) + '\n')
  } finally {
    await handle.close()
  }
  return file
}
