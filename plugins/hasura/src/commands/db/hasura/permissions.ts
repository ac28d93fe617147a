import {join, relative, resolve} from 'node:path'
import {BaseCommand} from '@nself/sdk'
import {Flags} from '@oclif/core'
import {applyPlan, planDiff, planDirectory} from '../../../lib/directory.js'
import {mergeMetadata} from '../../../lib/metadata.js'
import {desiredFromSchema} from '../../../lib/sync.js'
import {hasuraSettings, loadProjectSchema} from '../../../lib/project.js'
import {newSource} from '../../../lib/new-source.js'
import {writeRoot} from '../../../lib/directory.js'

export default class HasuraPermissions extends BaseCommand<typeof HasuraPermissions> {
  static override summary =
    'Write Hasura metadata (tables, relationships, permissions, computed fields) from database/schema.dbml.'
  static override description =
    'Writes the metadata directory (config v3) under hasura/metadata/: every table tracked, relationships from foreign keys, and what the `// hasura:` comments in the schema say. Keys nself does not own (event triggers, remote relationships, hand edits) are kept; a rerun on the same schema changes no byte. Exit 5 on a bad annotation, naming file:line:col.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %> --dir other/metadata',
  ]
  static override enableJsonFlag = true
  static override flags = {
    'dry-run': Flags.boolean({description: 'Print the changes as a diff; write nothing.'}),
    dir: Flags.string({description: 'Metadata directory (default: hasura/metadata in the project).'}),
    file: Flags.string({description: 'Schema file (default: database/schema.dbml in the project).'}),
  }

  async run(): Promise<{dir: string; changed: string[]; notes: string[]}> {
    const project = await loadProjectSchema(this.config, this.flags.file)
    const desired = desiredFromSchema(project.schema)
    const {source} = hasuraSettings(project.env)
    const dir = this.flags.dir ? resolve(this.flags.dir) : join(project.root, 'hasura', 'metadata')
    const shown = relative(process.cwd(), dir) || '.'
    const options = {source, managedSchemas: desired.managedSchemas}
    const {plan} = await planDirectory(
      dir,
      (current) =>
        mergeMetadata(current ?? {version: 3, sources: []}, desired.tables, options, () => newSource(source)),
      false,
    )
    for (const note of desired.annotations.notes) this.notice(`Note: ${note}`)
    if (this.flags['dry-run']) {
      if (!this.jsonEnabled()) this.log(plan.length ? planDiff(plan, shown).trimEnd() : `${shown} is up to date.`)
    } else {
      await applyPlan(dir, plan, writeRoot(dir, project.root))
      this.log(plan.length ? `Updated ${plan.length} file(s) under ${shown}.` : `${shown} is up to date.`)
    }
    return {dir: shown, changed: plan.map((p) => p.path), notes: desired.annotations.notes}
  }
}
