import {relative, resolve} from 'node:path'
import {BaseCommand} from '@nself/sdk'
import {Flags} from '@oclif/core'
import {type DiagramFormat, type Generated, generateDiagram, startWatch} from '../../diagram/index.js'
import {findProjectRoot, projectPaths} from '../../project.js'

export default class DbDiagram extends BaseCommand<typeof DbDiagram> {
  static override summary =
    'Draw the schema as a diagram: one self-contained HTML page (pan, zoom, search) or a static SVG.'
  static override description =
    "Draws every table with its columns, types, keys, nullability and notes, the enums, the table groups in their colours, and one line per reference with its cardinality (crow's foot). The page needs no network. --watch serves it on 127.0.0.1 and reloads it on every save of the schema; --diff colours what a migration added, changed and dropped."
  static override examples = [
    '<%= config.bin %> <%= command.id %> --open',
    '<%= config.bin %> <%= command.id %> --format svg --out docs/schema.svg',
    '<%= config.bin %> <%= command.id %> --watch --open',
    '<%= config.bin %> <%= command.id %> --diff 003',
  ]
  static override enableJsonFlag = true
  static override flags = {
    file: Flags.string({description: 'Schema file to draw (default: database/schema.dbml in the project).'}),
    out: Flags.string({
      description: 'File to write (default: database/diagram.html, or database/diagram.svg with --format svg).',
    }),
    format: Flags.string({
      description: 'html: the interactive page; svg: a static drawing for READMEs and pull requests.',
      options: ['html', 'svg'],
    }),
    open: Flags.boolean({description: "Open the result in the system's browser."}),
    watch: Flags.boolean({
      description:
        'Serve the page on 127.0.0.1, re-render on every save of the schema and reload the page; Ctrl-C stops.',
      exclusive: ['diff'],
    }),
    port: Flags.integer({
      description: 'Port for --watch (default: any free port).',
      min: 0,
      max: 65535,
      dependsOn: ['watch'],
    }),
    diff: Flags.string({
      description:
        'Draw this migration (e.g. 003) coloured by what it adds, changes and drops, against the migration before it.',
    }),
  }

  async run(): Promise<Omit<Generated, 'text'> | void> {
    const paths = projectPaths(findProjectRoot())
    const schemaFile = this.flags.file ? resolve(this.flags.file) : paths.schemaFile
    const format = (this.flags.format ??
      (this.flags.out?.toLowerCase().endsWith('.svg') ? 'svg' : 'html')) as DiagramFormat
    const out = resolve(this.flags.out ?? `${paths.databaseDir}/diagram.${format}`)
    const shown = (path: string): string => relative(process.cwd(), path) || path
    const diff = this.flags.diff ? {migrationsDir: paths.migrationsDir, migration: this.flags.diff} : undefined
    const generate = (): Promise<Generated> =>
      generateDiagram({schemaFile, shown: shown(schemaFile), out, format, diff})
    if (this.flags.watch) return this.watch(schemaFile, () => generate().then((g) => g.text))
    const {text: _text, ...result} = await generate()
    this.log(`Wrote ${shown(out)}: ${result.tables} tables, ${result.references} references`)
    if (this.flags.open) await this.openInBrowser(out)
    return {...result, out: shown(out)}
  }

  private async watch(schemaFile: string, render: () => Promise<string>): Promise<void> {
    const onRender = (r: {ok: boolean; message?: string}): void => {
      if (r.ok) this.log(`${new Date().toLocaleTimeString()} rendered`)
      else this.warn(r.message ?? '')
    }
    const server = await startWatch({schemaFile, render, port: this.flags.port, onRender})
    this.log(`Serving ${server.url} (re-renders on every save of ${relative(process.cwd(), schemaFile)}; Ctrl-C stops)`)
    if (this.flags.open) await this.openInBrowser(server.url)
    await new Promise<void>((done) => ['SIGINT', 'SIGTERM'].forEach((s) => process.once(s, () => done())))
    await server.close()
  }

  private async openInBrowser(target: string): Promise<void> {
    const {default: open} = await import('open')
    await open(target).catch((error: Error) =>
      this.warn(`could not open a browser (${error.message}); open ${target} yourself`),
    )
  }
}
