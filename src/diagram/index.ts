/**
 * `nself db diagram`, the library side: schema file → graph → layout → SVG or HTML page. Knows
 * nothing of oclif; the command and the watch server call these.
 */
import {ValidationError} from '@nself/sdk'
import {parseSchema} from '../schema/parse.js'
import type {ParsedSchema, SchemaModel} from '../schema/model.js'
import {buildGraph} from './graph.js'
import {renderPage} from './html.js'
import {layoutGraph} from './layout.js'
import {renderSvg} from './svg.js'
import {writeFileSafely} from './write.js'
import {readSchemaSource} from '../schema/read.js'

export {buildGraph, type DiagramGraph} from './graph.js'
export {layoutGraph} from './layout.js'
export {escapeXml, renderSvg} from './svg.js'
export {renderPage} from './html.js'
export {writeFileSafely} from './write.js'
export {startWatch, type WatchServer} from './watch.js'

export type DiagramFormat = 'html' | 'svg'

export interface RenderOptions {
  format: DiagramFormat
  title: string
  /** The DBML text, for the colours the model does not keep. */
  source?: string
  /** Colour what changed from this model to `model`. */
  diff?: {before: SchemaModel; title: string}
  /** Markup added before </body> (HTML only). */
  tail?: string
}

export async function renderDiagram(model: SchemaModel, options: RenderOptions): Promise<string> {
  const graph = buildGraph(model, {
    source: options.source,
    before: options.diff?.before,
    diffTitle: options.diff?.title,
  })
  const layout = await layoutGraph(graph)
  if (options.format === 'svg') return renderSvg(graph, layout, {standalone: true}) + '\n'
  return renderPage(graph, renderSvg(graph, layout, {standalone: false}), {title: options.title, tail: options.tail})
}

/** Reads and parses a schema; syntax errors become one error naming each FILE:LINE:COL. */
export async function loadSchema(path: string, shown: string): Promise<ParsedSchema> {
  const source = await readSchemaSource(path, shown)
  const parsed = await parseSchema(source, shown)
  if (parsed.parseErrors.length > 0) {
    const lines = parsed.parseErrors.map((p) => `${shown}:${p.line}:${p.column}: error: ${p.message}`)
    throw new ValidationError(`the schema does not parse, so there is nothing to draw:\n${lines.join('\n')}`, {
      code: 'NSELF_SCHEMA_INVALID',
      hint: 'fix the errors above (nself db validate lists every problem)',
    })
  }
  return parsed
}

export interface GenerateOptions {
  /** The schema file, and how messages name it. */
  schemaFile: string
  shown: string
  out: string
  format: DiagramFormat
  /** Draw this migration's snapshot, coloured by what it changed, instead of the schema file. */
  diff?: {migrationsDir: string; migration: string}
}

export interface Generated {
  out: string
  format: DiagramFormat
  tables: number
  references: number
  /** The text written, for the watch server. */
  text: string
}

/** Reads the schema (or the migration's snapshots), renders, and writes `out` without following links. */
export async function generateDiagram(options: GenerateOptions): Promise<Generated> {
  const {migrationDiff} = await import('./migration.js')
  let model: SchemaModel
  let source: string | undefined
  let diff: RenderOptions['diff']
  let title = `${options.shown}: schema diagram`
  if (options.diff) {
    const d = await migrationDiff(options.diff.migrationsDir, options.diff.migration)
    model = d.after
    diff = {before: d.before, title: d.title}
    title = `${d.title}: schema diagram`
  } else {
    const parsed = await loadSchema(options.schemaFile, options.shown)
    model = parsed.model
    source = parsed.source
  }
  const text = await renderDiagram(model, {format: options.format, title, source, diff})
  await writeFileSafely(options.out, text)
  return {
    out: options.out,
    format: options.format,
    tables: model.tables.length,
    references: model.tables.reduce((n, t) => n + t.foreignKeys.length, 0),
    text,
  }
}
