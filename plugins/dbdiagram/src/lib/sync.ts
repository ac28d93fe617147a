/**
 * Where the two sides stand relative to the last sync, and which operations that allows. Pure:
 * three texts in, a verdict out.
 */
import type {SyncState} from './state.js'
import {hashContent} from './state.js'

export type SyncStatus =
  /** Same content on both sides. */
  | 'in-sync'
  /** schema.dbml changed since the last sync, the diagram did not: push. */
  | 'local-ahead'
  /** The diagram changed since the last sync, schema.dbml did not: pull. */
  | 'remote-ahead'
  /** Both changed since the last sync: a person has to merge. */
  | 'both-changed'
  /** They differ and there is no sync record for this diagram to tell which side moved. */
  | 'unknown'

export interface Comparison {
  status: SyncStatus
  localHash: string
  remoteHash: string
  /** The sync record's hash, when it belongs to this diagram. */
  baseHash?: string
  /** The content at the last sync, when the record keeps it. */
  base?: string
}

/** The record counts only for the diagram it was made with (or any, for file-only syncs). */
export function baseFor(state: SyncState | undefined, diagramId: string | undefined): SyncState | undefined {
  if (!state) return undefined
  if (state.diagramId && diagramId && state.diagramId !== diagramId) return undefined
  return state
}

export function compare(local: string, remote: string, base: SyncState | undefined): Comparison {
  const localHash = hashContent(local)
  const remoteHash = hashContent(remote)
  const known = base ? {baseHash: base.hash, ...(base.content === undefined ? {} : {base: base.content})} : {}
  return {status: verdict(localHash, remoteHash, base?.hash), localHash, remoteHash, ...known}
}

function verdict(local: string, remote: string, base: string | undefined): SyncStatus {
  if (local === remote) return 'in-sync'
  if (base === undefined) return 'unknown'
  if (base === local) return 'remote-ahead'
  if (base === remote) return 'local-ahead'
  return 'both-changed'
}

export const DESCRIBE: Record<SyncStatus, string> = {
  'in-sync': 'in sync: schema.dbml and the diagram have the same content',
  'local-ahead':
    'local ahead: schema.dbml changed since the last sync, the diagram did not (push to update the diagram)',
  'remote-ahead':
    'remote ahead: the diagram changed since the last sync, schema.dbml did not (pull to update schema.dbml)',
  'both-changed': 'both changed: schema.dbml and the diagram both changed since the last sync',
  unknown: 'different, with no sync record for this diagram: it is not known which side changed',
}
