/**
 * push, pull and status: the library behind the three commands (which only parse flags and print).
 * Rule throughout: nothing on either side is replaced without the user seeing what changes, and
 * changes made on the side being written since the last sync are never discarded without --overwrite.
 */
import {basename, relative} from 'node:path'
import {ConfigError, RefusedError} from '@nself/sdk/errors'
import {DbdiagramClient, TOKEN_HINT} from './client.js'
import type {Confirm} from './confirm.js'
import type {SchemaTools} from './core.js'
import {readText, writeAtomic} from './files.js'
import type {DbdiagramSettings} from './settings.js'
import {type SyncState, readState, writeState} from './state.js'
import {type Comparison, type SyncStatus, DESCRIBE, baseFor, compare} from './sync.js'
import {unifiedDiff} from './textdiff.js'

export interface Io {
  log(line: string): void
  warn(line: string): void
  confirm: Confirm
}

export interface SyncContext {
  settings: DbdiagramSettings
  io: Io
  /** --diagram: overrides DBDIAGRAM_DIAGRAM_ID and the sync record. */
  diagram?: string
  /** For tests: a client with short waits. */
  client?: DbdiagramClient
}

export interface SyncResult {
  status: SyncStatus
  action: 'none' | 'pushed' | 'created' | 'pulled' | 'wrote-file'
  diagramId?: string
  file?: string
}

const SCHEMA = 'database/schema.dbml'

// ---------------------------------------------------------------------------------------------

export async function status(ctx: SyncContext, fromFile?: string): Promise<SyncResult & Partial<Comparison>> {
  const state = await readState(ctx.settings.stateFile, 'database/.dbdiagram.json')
  const local = await readLocal(ctx.settings)
  const remote = await fetchRemote(ctx, state, fromFile)
  const cmp = compare(local ?? '', remote.content, baseFor(state, remote.diagramId))
  ctx.io.log(`${remote.label}: ${DESCRIBE[cmp.status]}`)
  if (cmp.status === 'both-changed' || cmp.status === 'unknown') showBothSides(ctx.io, cmp, local ?? '', remote)
  return {
    status: cmp.status,
    action: 'none',
    ...(remote.diagramId ? {diagramId: remote.diagramId} : {}),
    localHash: cmp.localHash,
    remoteHash: cmp.remoteHash,
    baseHash: cmp.baseHash,
  }
}

// ---------------------------------------------------------------------------------------------

export interface PushOptions {
  toFile?: string
  /** Name for a new diagram (default: the project folder's name). */
  name?: string
  overwrite: boolean
}

export async function push(ctx: SyncContext, core: SchemaTools, options: PushOptions): Promise<SyncResult> {
  const {settings, io} = ctx
  const local = await readLocal(settings)
  if (local === undefined)
    throw new ConfigError(`${SCHEMA} not found in ${settings.root}`, {
      hint: 'Run `nself init`, or pull the diagram first.',
    })
  const checked = await core.check(local, SCHEMA)
  for (const w of checked.warnings) io.warn(w)
  const state = await readState(settings.stateFile, 'database/.dbdiagram.json')
  if (options.toFile) return pushToFile(ctx, local, options.toFile, state)

  const remoteId = diagramIdOf(ctx, state)
  const client = clientFor(ctx)
  if (!remoteId) return createDiagram(ctx, client, local, options.name ?? basename(settings.root))
  const remote = await client.getDiagram(remoteId)
  const side = {content: remote.content, diagramId: remoteId, label: `dbdiagram ${remoteId}`}
  const cmp = compare(local, remote.content, baseFor(state, remoteId))
  if (cmp.status === 'in-sync') return inSync(ctx, local, remoteId, state, cmp)
  // An empty diagram (just made in the editor) has nothing to lose: no need to ask.
  const blankNew = cmp.status === 'unknown' && remote.content.trim() === ''
  if (cmp.status !== 'local-ahead' && !blankNew) {
    guardOverwrite(io, cmp, local, side, 'push', options.overwrite)
    io.log(`What the push changes in the diagram:`)
    io.log(unifiedDiff(side.label, SCHEMA, remote.content, local))
    await io.confirm(`replace the content of diagram ${remoteId} with ${SCHEMA}`)
  }
  await client.updateDiagram(remoteId, undefined, local)
  await writeState(settings.stateFile, 'database/.dbdiagram.json', local, remoteId)
  io.log(`Pushed ${SCHEMA} to diagram ${remoteId}.`)
  return {status: cmp.status, action: 'pushed', diagramId: remoteId}
}

async function pushToFile(
  ctx: SyncContext,
  local: string,
  file: string,
  state: SyncState | undefined,
): Promise<SyncResult> {
  await writeAtomic(file, local, file)
  // The file is what the diagram will hold once pasted: it becomes the sync point for pull --from-file.
  const diagramId = diagramIdOf(ctx, state)
  await writeState(ctx.settings.stateFile, 'database/.dbdiagram.json', local, diagramId)
  ctx.io.log(
    `Wrote ${file}: paste it into the dbdiagram.io editor (replace the whole text). Export it later and run \`nself db dbdiagram pull --from-file FILE\` to bring edits back.`,
  )
  return {status: 'local-ahead', action: 'wrote-file', file, ...(diagramId ? {diagramId} : {})}
}

async function createDiagram(
  ctx: SyncContext,
  client: DbdiagramClient,
  local: string,
  name: string,
): Promise<SyncResult> {
  const created = await client.createDiagram(name, local)
  await writeState(ctx.settings.stateFile, 'database/.dbdiagram.json', local, created.id)
  ctx.io.log(`Created diagram "${name}" (${created.id}): https://dbdiagram.io/d/${created.id}`)
  ctx.io.log(
    `Set DBDIAGRAM_DIAGRAM_ID=${created.id} in .env so teammates and CI use the same diagram (database/.dbdiagram.json remembers it too).`,
  )
  return {status: 'local-ahead', action: 'created', diagramId: created.id}
}

// ---------------------------------------------------------------------------------------------

export interface PullOptions {
  fromFile?: string
  overwrite: boolean
}

export async function pull(ctx: SyncContext, core: SchemaTools, options: PullOptions): Promise<SyncResult> {
  const {settings, io} = ctx
  const state = await readState(settings.stateFile, 'database/.dbdiagram.json')
  const remote = await fetchRemote(ctx, state, options.fromFile)
  const checked = await core.check(remote.content, remote.label)
  for (const w of checked.warnings) io.warn(w)
  const local = await readLocal(settings)
  const cmp = compare(local ?? '', remote.content, baseFor(state, remote.diagramId))
  if (cmp.status === 'in-sync') return inSync(ctx, remote.content, remote.diagramId, state, cmp)
  if (cmp.status !== 'remote-ahead') guardOverwrite(io, cmp, local ?? '', remote, 'pull', options.overwrite)

  const changes = await core.changes(local, remote.content, SCHEMA)
  io.log(`What the pull changes in ${SCHEMA}:`)
  if (changes === undefined) io.log(`  (${SCHEMA} does not parse now, so only the text diff is shown)`)
  else if (changes.length === 0) io.log('  no schema change (formatting, notes or layout only)')
  else for (const line of changes) io.log(line)
  io.log(unifiedDiff(SCHEMA, remote.label, local ?? '', remote.content))
  await io.confirm(`replace ${SCHEMA} with the DBML of ${remote.label}`)

  await writeAtomic(settings.schemaFile, remote.content, SCHEMA)
  await writeState(settings.stateFile, 'database/.dbdiagram.json', remote.content, remote.diagramId)
  io.log(`Wrote ${SCHEMA} from ${remote.label}. Run \`nself db run\` to turn the change into a migration.`)
  return {status: cmp.status, action: 'pulled', ...(remote.diagramId ? {diagramId: remote.diagramId} : {})}
}

// ---------------------------------------------------------------------------------------------

interface RemoteSide {
  content: string
  /** Undefined for an exported file that is not tied to a configured diagram. */
  diagramId?: string
  label: string
}

async function fetchRemote(
  ctx: SyncContext,
  state: SyncState | undefined,
  fromFile: string | undefined,
): Promise<RemoteSide> {
  const diagramId = diagramIdOf(ctx, state)
  if (fromFile) {
    const content = await readText(fromFile, fromFile)
    if (content === undefined)
      throw new ConfigError(`${fromFile} not found`, {
        hint: 'Export the diagram from dbdiagram.io (Export → DBML) and pass that file.',
      })
    return {content, label: relative(process.cwd(), fromFile) || fromFile, ...(diagramId ? {diagramId} : {})}
  }
  if (!diagramId) {
    throw new ConfigError('no diagram to sync with: DBDIAGRAM_DIAGRAM_ID is not set', {
      hint: 'Set DBDIAGRAM_DIAGRAM_ID in .env to the diagram URL or its 24-character id, pass --diagram, or run `nself db dbdiagram push` to create one.',
    })
  }
  const diagram = await clientFor(ctx).getDiagram(diagramId)
  return {content: diagram.content, diagramId, label: `dbdiagram ${diagramId}`}
}

/** --diagram, else DBDIAGRAM_DIAGRAM_ID, else the diagram of the sync record. */
function diagramIdOf(ctx: SyncContext, state: SyncState | undefined): string | undefined {
  return ctx.diagram ?? ctx.settings.diagramId ?? state?.diagramId
}

function clientFor(ctx: SyncContext): DbdiagramClient {
  if (ctx.client) return ctx.client
  const token = ctx.settings.token
  if (!token)
    throw new ConfigError('DBDIAGRAM_TOKEN is not set: the dbdiagram API needs a workspace token', {hint: TOKEN_HINT})
  return new DbdiagramClient({baseUrl: ctx.settings.apiUrl, token})
}

async function readLocal(settings: DbdiagramSettings): Promise<string | undefined> {
  return readText(settings.schemaFile, SCHEMA)
}

/** Same content: nothing to do but remember the sync point if it is not remembered yet. */
async function inSync(
  ctx: SyncContext,
  content: string,
  diagramId: string | undefined,
  state: SyncState | undefined,
  cmp: Comparison,
): Promise<SyncResult> {
  if (state?.hash !== cmp.localHash || (diagramId && state.diagramId !== diagramId)) {
    await writeState(ctx.settings.stateFile, 'database/.dbdiagram.json', content, diagramId)
  }
  ctx.io.log(`Already in sync with ${diagramId ? `diagram ${diagramId}` : 'the file'}: nothing to do.`)
  return {status: 'in-sync', action: 'none', ...(diagramId ? {diagramId} : {})}
}

/**
 * Writing one side when the other moved alone is normal. Writing over changes made on the target
 * side since the last sync (both changed, or the target alone changed) needs --overwrite.
 */
function guardOverwrite(
  io: Io,
  cmp: Comparison,
  local: string,
  remote: RemoteSide,
  op: 'push' | 'pull',
  overwrite: boolean,
): void {
  const target = op === 'push' ? 'the diagram' : SCHEMA
  if (cmp.status === 'unknown') {
    io.log(
      `No sync record for ${remote.label}: ${op === 'push' ? 'its current content' : `the current ${SCHEMA}`} will be replaced.`,
    )
    return
  }
  if (overwrite) {
    io.log(`--overwrite: changes made in ${target} since the last sync will be lost.`)
    return
  }
  if (cmp.status === 'both-changed') {
    showBothSides(io, cmp, local, remote)
    throw new RefusedError(
      `refusing to ${op}: ${SCHEMA} and ${remote.label} both changed since the last sync, and either would overwrite the other`,
      {
        hint: `Merge by hand: bring the diagram's changes (shown above) into ${SCHEMA}, then \`nself db dbdiagram push --overwrite\`; or keep one side with \`push --overwrite\` / \`pull --overwrite\`.`,
      },
    )
  }
  const other = op === 'push' ? `pull` : `push`
  showBothSides(io, cmp, local, remote)
  throw new RefusedError(
    `refusing to ${op}: ${target} changed since the last sync and the other side did not; a ${op} would only discard those changes`,
    {
      hint: `Run \`nself db dbdiagram ${other}\` instead, or pass --overwrite to discard them.`,
    },
  )
}

/** What each side changed since the last sync (or, without the record's text, how they differ). */
function showBothSides(io: Io, cmp: Comparison, local: string, remote: RemoteSide): void {
  if (cmp.base === undefined) {
    io.log(`How ${SCHEMA} differs from ${remote.label}:`)
    io.log(unifiedDiff(remote.label, SCHEMA, remote.content, local))
    return
  }
  if (cmp.localHash !== cmp.baseHash) {
    io.log(`Changed in ${SCHEMA} since the last sync:`)
    io.log(unifiedDiff(`${SCHEMA} (last sync)`, `${SCHEMA} (now)`, cmp.base, local))
  }
  if (cmp.remoteHash !== cmp.baseHash) {
    io.log(`Changed in ${remote.label} since the last sync:`)
    io.log(unifiedDiff(`${remote.label} (last sync)`, `${remote.label} (now)`, cmp.base, remote.content))
  }
}
