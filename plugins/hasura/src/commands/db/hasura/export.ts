import {join, relative, resolve} from 'node:path'
import {BaseCommand} from '@nself/sdk'
import {Flags} from '@oclif/core'
import {applyPlan, planDiff, planDirectory, writeRoot} from '../../../lib/directory.js'
import {commandError} from '../../../lib/errors.js'
import {clientFor, hasuraSettings, loadProject} from '../../../lib/project.js'

export default class HasuraExport extends BaseCommand<typeof HasuraExport> {
  static override summary =
    "Export Hasura's live metadata into hasura/metadata/ (config v3 directory), to commit what the console changed."
  static override description =
    'Calls export_metadata on HASURA_GRAPHQL_ENDPOINT (default http://localhost:8080) with HASURA_GRAPHQL_ADMIN_SECRET and writes the same directory layout hasura:permissions writes, plus the top-level files (remote_schemas.yaml …). Actions are not written (use the Hasura CLI for them). Exit 4 when Hasura cannot be reached, 3 when it refuses the admin secret.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dry-run']
  static override enableJsonFlag = true
  static override flags = {
    'dry-run': Flags.boolean({description: 'Print the changes as a diff; write nothing.'}),
    dir: Flags.string({description: 'Metadata directory (default: hasura/metadata in the project).'}),
  }

  async run(): Promise<{dir: string; changed: string[]; resourceVersion: number; skipped: string[]}> {
    const project = await loadProject(this.config, {})
    const client = clientFor(hasuraSettings(project.env))
    const exported = await client.exportMetadata().catch((error: unknown) => {
      throw commandError(error)
    })
    const dir = this.flags.dir ? resolve(this.flags.dir) : join(project.root, 'hasura', 'metadata')
    const shown = relative(process.cwd(), dir) || '.'
    const {plan, skipped} = await planDirectory(dir, () => exported.metadata, true)
    if (skipped.length) this.warn(`not written (use the Hasura CLI for these): ${skipped.join(', ')}`)
    if (this.flags['dry-run']) {
      if (!this.jsonEnabled())
        this.log(plan.length ? planDiff(plan, shown).trimEnd() : `${shown} already matches Hasura.`)
    } else {
      await applyPlan(dir, plan, writeRoot(dir, project.root))
      this.log(
        plan.length
          ? `Exported Hasura's metadata (resource version ${exported.resourceVersion}) into ${shown}: ${plan.length} file(s) changed.`
          : `${shown} already matches Hasura.`,
      )
    }
    return {dir: shown, changed: plan.map((p) => p.path), resourceVersion: exported.resourceVersion, skipped}
  }
}
