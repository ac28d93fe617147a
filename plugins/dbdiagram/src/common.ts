/** What the three commands share: flags, and turning oclif's command into the library's context. */
import {Flags, type Command} from '@oclif/core'
import {makeConfirm} from './lib/confirm.js'
import {loadProject} from '@nself/sdk/project'
import {type SchemaTools, schemaTools} from './lib/core.js'
import type {SyncContext} from './lib/operations.js'
import {loadSettings, parseDiagramId} from './lib/settings.js'

export const diagramFlag = Flags.string({
  description: 'Diagram id or URL (default: DBDIAGRAM_DIAGRAM_ID, else the diagram of database/.dbdiagram.json).',
})

export const overwriteFlag = Flags.boolean({
  description: 'Replace the other side even though it changed since the last sync (after merging by hand).',
})

export const forceFlag = Flags.boolean({description: 'Do not ask for confirmation (needed without a terminal).'})

export async function syncContext(command: Command, flags: {diagram?: string; force?: boolean}): Promise<SyncContext> {
  return {
    settings: loadSettings(await loadProject(command.config)),
    diagram: flags.diagram ? parseDiagramId(flags.diagram, '--diagram') : undefined,
    io: {
      log: (line) => command.log(line),
      warn: (line) => void command.warn(line),
      confirm: makeConfirm({force: Boolean(flags.force)}),
    },
  }
}

/** nself's schema tools, through the loadProject hook of the nself that runs this command. */
export function coreOf(command: Command): SchemaTools {
  return schemaTools(command.config)
}
