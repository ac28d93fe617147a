/**
 * The sync record, database/.dbdiagram.json: which diagram the schema is synced with, and the
 * content both sides had at the last sync (its hash, and the text itself so that a conflict can show
 * what each side changed). It is meant to be committed: teammates then share the same sync point.
 */
import {createHash} from 'node:crypto'
import {ConfigError} from '@nself/sdk/errors'
import {readText, writeAtomic} from './files.js'

export const STATE_VERSION = 1

export interface SyncState {
  version: typeof STATE_VERSION
  diagramId?: string
  /** sha256 of the normalized content at the last sync. */
  hash: string
  syncedAt: string
  /** The content at the last sync (normalized); absent in hand-made records. */
  content?: string
}

/**
 * Line endings and trailing blank lines are not differences: the editor and git may change them.
 */
export function normalize(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+$/, '') + '\n'
}

export function hashContent(text: string): string {
  return createHash('sha256').update(normalize(text)).digest('hex')
}

export async function readState(path: string, shown: string): Promise<SyncState | undefined> {
  const text = await readText(path, shown)
  if (text === undefined) return undefined
  let data: Record<string, unknown>
  try {
    data = JSON.parse(text) as Record<string, unknown>
  } catch (error) {
    throw new ConfigError(`${shown} is not valid JSON: ${(error as Error).message}`, {
      hint: `Fix it, or delete it to forget the last sync (the next push or pull then asks before replacing anything).`,
    })
  }
  const bad = (field: string, expected: string) =>
    new ConfigError(`${shown}: field "${field}" should be ${expected}`, {
      hint: 'Fix it, or delete the file to forget the last sync.',
    })
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('(file)', 'a JSON object')
  if (typeof data.hash !== 'string' || !/^[0-9a-f]{64}$/.test(data.hash)) throw bad('hash', 'a sha256 hex digest')
  if (data.diagramId !== undefined && typeof data.diagramId !== 'string') throw bad('diagramId', 'a string')
  if (data.content !== undefined && typeof data.content !== 'string') throw bad('content', 'a string')
  // A record whose text does not match its hash would show wrong diffs: keep the hash, drop the text.
  const content = typeof data.content === 'string' && hashContent(data.content) === data.hash ? data.content : undefined
  return {
    version: STATE_VERSION,
    hash: data.hash,
    syncedAt: typeof data.syncedAt === 'string' ? data.syncedAt : '',
    ...(typeof data.diagramId === 'string' ? {diagramId: data.diagramId} : {}),
    ...(content === undefined ? {} : {content}),
  }
}

export async function writeState(
  path: string,
  shown: string,
  content: string,
  diagramId: string | undefined,
): Promise<SyncState> {
  const state: SyncState = {
    version: STATE_VERSION,
    ...(diagramId ? {diagramId} : {}),
    hash: hashContent(content),
    syncedAt: new Date().toISOString(),
    content: normalize(content),
  }
  await writeAtomic(path, JSON.stringify(state, null, 2) + '\n', shown)
  return state
}
