/**
 * A local stand-in for Hasura's metadata API (v2), implementing the documented behaviour of the calls
 * the plugin makes: POST /v1/metadata with X-Hasura-Admin-Secret (401 without it),
 * export_metadata (version 2: {resource_version, metadata}), replace_metadata (version 2 with
 * resource_version: 409 when stale; 400 for a permission on role admin; 400 listing the
 * inconsistent objects — unknown tables or columns — unless allow_inconsistent_metadata),
 * get_inconsistent_metadata. It holds the metadata; tests assert on what it ends up holding.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** "schema.table" → its columns: what the fake's database has. */
export type Catalog = Map<string, string[]>

export interface FakeHasuraOptions {
  adminSecret: string
  catalog: Catalog | (() => Promise<Catalog>)
  metadata?: Record<string, unknown>
}

type Json = Record<string, any>

export class FakeHasura {
  metadata: Json
  resourceVersion = 1
  /** Runs before a replace_metadata is handled: a test's stand-in for another client acting meanwhile. */
  beforeReplace?: () => void
  private server?: Server
  url = ''

  constructor(private readonly options: FakeHasuraOptions) {
    this.metadata = options.metadata ?? {
      version: 3,
      sources: [
        {
          name: 'default',
          kind: 'postgres',
          tables: [],
          configuration: {connection_info: {database_url: {from_env: 'HASURA_GRAPHQL_DATABASE_URL'}}},
        },
      ],
    }
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.url
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }

  /** Another client's change, as the console would make it. */
  concurrentChange(change: (metadata: Json) => void): void {
    change(this.metadata)
    this.resourceVersion++
  }

  tables(): Json[] {
    return this.metadata.sources.find((s: Json) => s.name === 'default')?.tables ?? []
  }

  table(name: string, schema = 'public'): Json | undefined {
    return this.tables().find((t) => t.table.name === name && (t.table.schema ?? 'public') === schema)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {'Content-Type': 'application/json'})
      res.end(JSON.stringify(body))
    }
    if (req.method !== 'POST' || req.url !== '/v1/metadata')
      return send(404, {path: '$', error: 'resource does not exist', code: 'not-found'})
    let text = ''
    for await (const chunk of req) text += chunk
    if (req.headers['x-hasura-admin-secret'] !== this.options.adminSecret) {
      return send(401, {path: '$', error: 'invalid x-hasura-admin-secret/x-hasura-access-key', code: 'access-denied'})
    }
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return send(400, {path: '$', error: 'expected Content-Type: application/json', code: 'parse-failed'})
    let body: Json
    try {
      body = JSON.parse(text)
    } catch {
      return send(400, {path: '$', error: 'Error in $: invalid JSON', code: 'parse-failed'})
    }
    if (typeof body?.type !== 'string' || typeof body.args !== 'object')
      return send(400, {path: '$', error: 'expected {type, args}', code: 'parse-failed'})
    switch (body.type) {
      case 'export_metadata':
        return send(
          200,
          body.version === 2
            ? {resource_version: this.resourceVersion, metadata: clone(this.metadata)}
            : clone(this.metadata),
        )
      case 'replace_metadata':
        return this.replace(body, send)
      case 'get_inconsistent_metadata': {
        const objects = await this.inconsistencies(this.metadata)
        return send(200, {is_consistent: objects.length === 0, inconsistent_objects: objects})
      }
      default:
        return send(400, {path: '$.type', error: `unknown metadata command "${body.type}"`, code: 'bad-request'})
    }
  }

  private async replace(body: Json, send: (status: number, body: unknown) => void): Promise<void> {
    this.beforeReplace?.()
    const metadata = body.version === 2 ? body.args.metadata : body.args
    if (body.version !== 2 && body.resource_version !== undefined)
      return send(400, {path: '$', error: 'resource_version needs version 2', code: 'bad-request'})
    if (body.resource_version !== undefined && body.resource_version !== this.resourceVersion) {
      return send(409, {
        path: '$',
        error: `metadata resource version referenced (${body.resource_version}) did not match current version`,
        code: 'conflict',
      })
    }
    if (metadata?.version !== 3 || !Array.isArray(metadata.sources))
      return send(400, {
        path: '$.args.metadata',
        error: 'expected metadata version 3 with sources',
        code: 'parse-failed',
      })
    for (const [s, source] of metadata.sources.entries()) {
      for (const [t, table] of (source.tables ?? []).entries()) {
        if (typeof table?.table?.name !== 'string')
          return send(400, {
            path: `$.args.metadata.sources[${s}].tables[${t}].table`,
            error: 'expected {name, schema}',
            code: 'parse-failed',
          })
        for (const op of ['select', 'insert', 'update', 'delete']) {
          for (const [p, perm] of (table[`${op}_permissions`] ?? []).entries()) {
            if (perm.role === 'admin') {
              return send(400, {
                path: `$.args.metadata.sources[${s}].tables[${t}].${op}_permissions[${p}]`,
                error: 'cannot define permission for admin role',
                code: 'constraint-violation',
              })
            }
          }
        }
      }
    }
    const objects = await this.inconsistencies(metadata)
    if (objects.length > 0 && !body.args.allow_inconsistent_metadata) {
      return send(400, {
        path: '$.args',
        error: 'cannot continue due to inconsistent metadata',
        code: 'unexpected',
        internal: objects,
      })
    }
    this.metadata = clone(metadata)
    this.resourceVersion++
    send(200, {is_consistent: objects.length === 0, inconsistent_objects: objects})
  }

  /** What Hasura would call inconsistent: tables, permission columns and relationship columns the database lacks. */
  private async inconsistencies(metadata: Json): Promise<Json[]> {
    const catalog = typeof this.options.catalog === 'function' ? await this.options.catalog() : this.options.catalog
    const found: Json[] = []
    const source = metadata.sources.find((s: Json) => s.name === 'default')
    for (const entry of source?.tables ?? []) {
      const name = `${entry.table.schema ?? 'public'}.${entry.table.name}`
      const columns = catalog.get(name)
      if (!columns) {
        found.push({
          type: 'table',
          name: `table ${entry.table.name} in source default`,
          reason: `Inconsistent object: no such table/view exists in source: "${entry.table.name}"`,
          definition: entry.table,
        })
        continue
      }
      for (const op of ['select', 'insert', 'update']) {
        for (const perm of entry[`${op}_permissions`] ?? []) {
          const cols = perm.permission?.columns
          for (const c of Array.isArray(cols) ? cols : []) {
            if (!columns.includes(c)) {
              found.push({
                type: `${op}_permission`,
                name: `permission ${entry.table.name}.${perm.role}.${op} in source default`,
                reason: `Inconsistent object: in table "${entry.table.name}": in permission for role "${perm.role}": column "${c}" does not exist`,
              })
            }
          }
        }
      }
      for (const kind of ['object', 'array']) {
        for (const rel of entry[`${kind}_relationships`] ?? []) {
          const fk = rel.using?.foreign_key_constraint_on
          const remote =
            typeof fk === 'object' && !Array.isArray(fk) ? `${fk.table.schema ?? 'public'}.${fk.table.name}` : name
          const relColumns =
            typeof fk === 'string' ? [fk] : Array.isArray(fk) ? fk : (fk?.columns ?? (fk?.column ? [fk.column] : []))
          const target = catalog.get(remote)
          if (!target || relColumns.some((c: string) => !target.includes(c))) {
            found.push({
              type: `${kind}_relation`,
              name: `relationship ${rel.name} on ${entry.table.name}`,
              reason: `Inconsistent object: relationship "${rel.name}": no such table or column in ${remote}`,
            })
          }
        }
      }
    }
    return found
  }
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value))

/** The catalog of a real database: every user table and its columns. */
export async function catalogOf(
  query: (sql: string) => Promise<{rows: Array<{t: string; c: string}>}>,
): Promise<Catalog> {
  const {rows} = await query(
    "SELECT table_schema || '.' || table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY table_schema, table_name, ordinal_position",
  )
  const catalog: Catalog = new Map()
  for (const r of rows) catalog.set(r.t, [...(catalog.get(r.t) ?? []), r.c])
  return catalog
}
