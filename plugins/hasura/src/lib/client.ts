/**
 * Hasura's metadata API: `POST <endpoint>/v1/metadata` with `X-Hasura-Admin-Secret`. Every failure
 * becomes a HasuraError whose `kind` says what went wrong, so commands and the afterMigrate hook can
 * name the cause (unreachable, wrong secret, rejected metadata, a concurrent change).
 */
import type {Metadata} from './metadata.js'

export type HasuraErrorKind = 'unreachable' | 'unauthorized' | 'conflict' | 'rejected' | 'server' | 'protocol'

export class HasuraError extends Error {
  constructor(
    readonly kind: HasuraErrorKind,
    message: string,
    readonly status?: number,
    readonly body?: unknown,
  ) {
    super(message)
    this.name = 'HasuraError'
  }
}

export interface ClientOptions {
  endpoint: string
  adminSecret?: string
  timeoutMs?: number
}

export interface InconsistentObject {
  type?: string
  name?: string
  reason?: string
  [key: string]: unknown
}

export class HasuraClient {
  readonly url: string

  constructor(private readonly options: ClientOptions) {
    this.url = `${options.endpoint.replace(/\/+$/, '')}/v1/metadata`
  }

  async exportMetadata(): Promise<{resourceVersion: number; metadata: Metadata}> {
    const body = (await this.call({type: 'export_metadata', version: 2, args: {}})) as {
      resource_version?: unknown
      metadata?: unknown
    }
    if (typeof body?.resource_version !== 'number' || typeof body.metadata !== 'object' || body.metadata === null) {
      throw new HasuraError(
        'protocol',
        'export_metadata (version 2) did not answer with {resource_version, metadata}: Hasura v2.0 or newer is needed',
      )
    }
    return {resourceVersion: body.resource_version, metadata: body.metadata as Metadata}
  }

  /** Replaces the whole metadata; a 409 (someone changed it since `resourceVersion`) is a 'conflict'. */
  async replaceMetadata(metadata: Metadata, resourceVersion: number): Promise<void> {
    await this.call({
      type: 'replace_metadata',
      version: 2,
      resource_version: resourceVersion,
      args: {allow_inconsistent_metadata: false, metadata},
    })
  }

  async inconsistentMetadata(): Promise<InconsistentObject[]> {
    const body = (await this.call({type: 'get_inconsistent_metadata', args: {}})) as {
      is_consistent?: boolean
      inconsistent_objects?: InconsistentObject[]
    }
    return body?.is_consistent === false ? (body.inconsistent_objects ?? []) : []
  }

  private async call(request: Record<string, unknown>): Promise<unknown> {
    const headers: Record<string, string> = {'Content-Type': 'application/json', 'X-Hasura-Role': 'admin'}
    if (this.options.adminSecret) headers['X-Hasura-Admin-Secret'] = this.options.adminSecret
    let response: Response
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      })
    } catch (error) {
      const cause = (error as {cause?: {code?: string; message?: string}}).cause
      const reason =
        (error as Error).name === 'TimeoutError'
          ? 'no answer in time'
          : (cause?.code ?? cause?.message ?? (error as Error).message)
      throw new HasuraError('unreachable', `cannot reach Hasura at ${this.url}: ${reason}`)
    }
    const text = await response.text()
    let body: unknown
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = undefined
    }
    if (response.ok) return body
    throw errorFor(request.type as string, response.status, body, text)
  }
}

function errorFor(type: string, status: number, body: unknown, text: string): HasuraError {
  const b = (body ?? {}) as {error?: string; code?: string; path?: string; internal?: unknown}
  const said = b.error ?? (text.slice(0, 200) || `HTTP ${status}`)
  if (status === 401 || status === 403 || b.code === 'access-denied') {
    return new HasuraError('unauthorized', `Hasura refused the admin secret (${status}): ${said}`, status, body)
  }
  if (status === 409 || b.code === 'conflict') return new HasuraError('conflict', `${type}: ${said}`, status, body)
  if (status >= 400 && status < 500) {
    const details = inconsistencies(b.internal)
    return new HasuraError(
      'rejected',
      `Hasura rejected ${type}: ${said}${b.path && b.path !== '$' ? ` (at ${b.path})` : ''}${details}`,
      status,
      body,
    )
  }
  return new HasuraError('server', `Hasura failed on ${type} (${status}): ${said}`, status, body)
}

/** Hasura lists the objects that made metadata inconsistent under `internal`. */
function inconsistencies(internal: unknown): string {
  if (!Array.isArray(internal) || internal.length === 0) return ''
  const lines = internal.slice(0, 10).map((o: InconsistentObject) => `\n  - ${describeInconsistency(o)}`)
  return lines.join('') + (internal.length > 10 ? `\n  … and ${internal.length - 10} more` : '')
}

export function describeInconsistency(o: InconsistentObject): string {
  return [o.type, o.name].filter(Boolean).join(' ') + (o.reason ? `: ${o.reason}` : '')
}
