import {readFile} from 'node:fs/promises'
import {Args, Flags} from '@oclif/core'
import {ConfigError, ValidationError} from '@nself/sdk'
import {detectFormat, importSchema} from '../../adopt/import.js'
import {writeSchemaFile} from '../../adopt/pull.js'
import {BaseCommand} from '@nself/sdk'
import {toDbml} from '../../introspect/dbml.js'
import {resolvePaths} from '../../authoring/generate.js'
import {parseSchema} from '../../schema/parse.js'
import {renderDiagnostic, validateSchema} from '../../validate/index.js'

export default class DbImport extends BaseCommand<typeof DbImport> {
  static override summary =
    'Write database/schema.dbml from SQL DDL (PostgreSQL, MySQL, SQL Server) or a Rails schema.rb.'
  static override description = `Reads FILE with @dbml/core's importers, maps foreign types to PostgreSQL's (datetime → timestamp, tinyint(1) → boolean, nvarchar(max) → text …) and lists every mapping and everything left out (views, triggers, ON UPDATE clauses …). No database is needed. An existing schema.dbml that says something else is replaced only with --force.`

  static override examples = [
    '<%= config.bin %> db import dump.sql',
    '<%= config.bin %> db import db/schema.rb',
    '<%= config.bin %> db import legacy.sql --from mssql --force',
  ]

  static override enableJsonFlag = true

  static override args = {file: Args.string({description: 'SQL DDL file or Rails schema.rb.', required: true})}

  static override flags = {
    from: Flags.string({
      description:
        'Dialect of FILE. Default: guessed (.rb is Rails; backticks MySQL; [dbo] SQL Server; else PostgreSQL).',
      options: ['postgres', 'mysql', 'mssql', 'schemarb'],
    }),
    force: Flags.boolean({description: 'Replace a schema.dbml that says something else.'}),
    file: Flags.string({description: 'Schema file to write. Default: database/schema.dbml in the project.'}),
  }

  async run(): Promise<{file: string; format: string; tables: number; mappings: string[]; dropped: string[]}> {
    const input = this.args.file
    const source = await readFile(input, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`cannot read ${input}: ${error.code === 'ENOENT' ? 'not found' : error.message}`)
    })
    const result = await importSchema(source, input, detectFormat(input, source, this.flags.from))
    const text = await toDbml(result.model, {
      header: [`Imported by \`nself db import\` from ${input} (${result.format}).`],
    })
    const errors = validateSchema(await parseSchema(text, 'schema.dbml')).filter((d) => d.severity === 'error')
    if (errors.length > 0)
      throw new ValidationError(
        `the imported schema has ${errors.length} error(s):\n${errors.map(renderDiagnostic).join('\n')}`,
      )
    const {schemaFile, shownSchema} = resolvePaths(this.flags.file, undefined)
    await writeSchemaFile({schemaFile, shownSchema, force: this.flags.force}, text)
    this.log(`Wrote ${shownSchema}: ${result.model.tables.length} tables from ${input} (${result.format}).`)
    for (const m of result.mappings) this.log(`  mapped  ${m}`)
    for (const d of result.dropped) this.log(`  dropped ${d}`)
    return {
      file: shownSchema,
      format: result.format,
      tables: result.model.tables.length,
      mappings: result.mappings,
      dropped: result.dropped,
    }
  }
}
