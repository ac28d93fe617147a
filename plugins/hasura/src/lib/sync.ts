/**
 * From the schema to metadata, and metadata to a live Hasura: export (with its resource_version) →
 * merge → replace_metadata with that resource_version, all or nothing. When someone changed the
 * metadata in between (409), the export and merge are redone, a bounded number of times, so their
 * change is merged, never overwritten. Unchanged metadata is not sent at all.
 */
import type {SchemaModelView} from '@nself/sdk/hooks'
import {ValidationError} from '@nself/sdk/errors'
import {type Annotations, parseAnnotations} from './annotations.js'
import {type HasuraClient, type InconsistentObject, HasuraError} from './client.js'
import {planDiff, planFiles, renderDirectory} from './directory.js'
import {generateTables} from './generate.js'
import {
  type Metadata,
  type TableEntry,
  DEFAULT_SOURCE,
  mergeMetadata,
  sameMetadata,
  trackingChanges,
} from './metadata.js'

export interface SchemaInput {
  /** How messages name the file. */
  file: string
  source: string
  model: SchemaModelView
}

export interface Desired {
  tables: TableEntry[]
  managedSchemas: string[]
  annotations: Annotations
}

/** Tables, relationships, permissions from the schema; a bad annotation is a ValidationError listing each as file:line:col. */
export function desiredFromSchema(schema: SchemaInput): Desired {
  const annotations = parseAnnotations(schema.source, schema.model, schema.file)
  const errors = annotations.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) {
    const lines = errors.map(
      (d) =>
        `${schema.file}:${d.line}:${d.column}: error: ${d.message} (${d.rule})${d.hint ? `\n  Solution: ${d.hint}` : ''}`,
    )
    throw new ValidationError(
      `${errors.length} hasura annotation error${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
      {
        code: 'NSELF_HASURA_ANNOTATION',
        hint: 'fix the `// hasura:` comments (grammar: plugins/hasura/README.md); nself db validate lists them too',
      },
    )
  }
  const schemas = [...new Set(schema.model.tables.map((t) => t.schema))]
  return {
    tables: generateTables(schema.model, annotations),
    managedSchemas: schemas.length ? schemas : ['public'],
    annotations,
  }
}

export interface SyncOptions {
  source?: string
  dryRun?: boolean
  /** How many export → replace rounds before giving up on concurrent changes. */
  attempts?: number
}

export interface SyncResult {
  changed: boolean
  /** Unified diff of the metadata (as directory files) before → after. */
  diff: string
  tracked: string[]
  untracked: string[]
  attempts: number
  resourceVersion?: number
  inconsistent: InconsistentObject[]
}

export async function syncMetadata(
  client: HasuraClient,
  desired: Desired,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const maxAttempts = options.attempts ?? 3
  for (let attempt = 1; ; attempt++) {
    const {resourceVersion, metadata} = await client.exportMetadata()
    const merged = merge(metadata, desired, options.source)
    const changed = !sameMetadata(metadata, merged)
    const result: SyncResult = {
      changed,
      diff: changed ? metadataDiff(metadata, merged) : '',
      ...trackingChanges(metadata, merged, options.source),
      attempts: attempt,
      resourceVersion,
      inconsistent: [],
    }
    if (options.dryRun) return result
    if (changed) {
      try {
        await client.replaceMetadata(merged, resourceVersion)
      } catch (error) {
        if (error instanceof HasuraError && error.kind === 'conflict' && attempt < maxAttempts) continue
        if (error instanceof HasuraError && error.kind === 'conflict') {
          throw new HasuraError(
            'conflict',
            `the metadata kept changing on the server (${maxAttempts} attempts); nothing was replaced`,
            error.status,
            error.body,
          )
        }
        throw error
      }
    }
    result.inconsistent = await client.inconsistentMetadata()
    return result
  }
}

function merge(metadata: Metadata, desired: Desired, source = DEFAULT_SOURCE): Metadata {
  try {
    return mergeMetadata(metadata, desired.tables, {source, managedSchemas: desired.managedSchemas})
  } catch {
    throw new HasuraError(
      'rejected',
      `Hasura has no database source named "${source}"; connect the database first (console: Data → Connect Database, name "${source}")`,
    )
  }
}

/** The change as a diff of the directory files the two metadata would give. */
export function metadataDiff(before: Metadata, after: Metadata): string {
  const a = renderDirectory(before, false).files
  const b = renderDirectory(after, false).files
  return planDiff(planFiles(a, b, a), 'metadata')
}
