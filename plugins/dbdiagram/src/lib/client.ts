/**
 * A small client for dbdiagram's Public API v1 (Beta, paid plans): read, create and update a
 * diagram's DBML. The response shapes are corroborated by public clients rather than read from the
 * official spec, so every response is mapped defensively: anything unexpected is an error naming
 * the field, never an undefined that travels on into schema.dbml.
 */
import {ConfigError, ConnectionError, NselfError, OperationError} from '@nself/sdk/errors'

export interface Diagram {
  id: string
  name?: string
  content: string
  updatedAt?: string
}

export interface ClientOptions {
  baseUrl: string
  token: string
  /** Retries after 429 before giving up. */
  maxRetries?: number
  /** Longest single wait for the rate limit; a longer Retry-After fails at once, saying how long. */
  maxWaitMs?: number
  /** Per-request timeout. */
  timeoutMs?: number
  sleep?: (ms: number) => Promise<void>
}

type Json = Record<string, unknown>

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export class DbdiagramClient {
  private readonly base: string
  private readonly maxRetries: number
  private readonly maxWaitMs: number
  private readonly timeoutMs: number
  private readonly sleep: (ms: number) => Promise<void>
  /** From the last RateLimit-* headers: when the quota is used up, wait before the next call. */
  private exhaustedUntil = 0

  constructor(private readonly options: ClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '')
    this.maxRetries = options.maxRetries ?? 3
    this.maxWaitMs = options.maxWaitMs ?? 60_000
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.sleep = options.sleep ?? delay
  }

  async getDiagram(id: string): Promise<Diagram> {
    const body = await this.request('GET', `/diagrams/${encodeURIComponent(id)}`)
    return toDiagram(body, `GET /diagrams/${id}`, {id, contentRequired: true})
  }

  async createDiagram(name: string, content: string): Promise<Diagram> {
    const body = await this.request('POST', '/diagrams', {name, content})
    return toDiagram(body, 'POST /diagrams', {content, contentRequired: false})
  }

  async updateDiagram(id: string, name: string | undefined, content: string): Promise<void> {
    // The layout is not sent: dbdiagram keeps the saved table positions when it is left out.
    await this.request('PUT', `/diagrams/${encodeURIComponent(id)}`, name === undefined ? {content} : {name, content})
  }

  private async request(method: string, path: string, body?: Json): Promise<unknown> {
    const what = `${method} ${path}`
    for (let attempt = 0; ; attempt++) {
      await this.waitForQuota()
      const response = await this.send(method, path, body, what)
      this.noteQuota(response.headers)
      if (response.status === 429 && attempt < this.maxRetries) {
        await this.waitAfter429(response.headers, what)
        continue
      }
      const text = await response.text()
      if (!response.ok) throw httpError(response.status, what, text, path)
      if (text.trim() === '') return undefined
      try {
        return JSON.parse(text)
      } catch {
        throw new OperationError(
          `dbdiagram API: ${what} answered ${response.status} with a body that is not JSON (${preview(text)})`,
          {hint: HINT_URL},
        )
      }
    }
  }

  private async send(method: string, path: string, body: Json | undefined, what: string): Promise<Response> {
    try {
      return await fetch(this.base + path, {
        method,
        headers: {
          'dbdiagram-access-token': this.options.token,
          accept: 'application/json',
          ...(body ? {'content-type': 'application/json'} : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      })
    } catch (error) {
      const cause = (error as {cause?: {code?: string; message?: string}}).cause
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs / 1000} s`
          : (cause?.code ?? cause?.message ?? (error as Error).message)
      throw new ConnectionError(`dbdiagram API: ${what} failed: ${reason} (${this.base})`, {
        hint: HINT_URL,
        cause: error,
      })
    }
  }

  private async waitAfter429(headers: Headers, what: string): Promise<void> {
    const ms = retryAfterMs(headers) ?? resetMs(headers) ?? 1000
    if (ms > this.maxWaitMs) {
      throw new OperationError(`dbdiagram API: ${what} is rate limited for ${Math.ceil(ms / 1000)} s more`, {
        hint: 'Try again later; the API allows 20 to 120 requests a minute depending on the endpoint.',
      })
    }
    await this.sleep(ms)
  }

  private noteQuota(headers: Headers): void {
    const remaining = Number(headers.get('ratelimit-remaining'))
    const reset = resetMs(headers)
    this.exhaustedUntil =
      headers.get('ratelimit-remaining') !== null && remaining <= 0 && reset !== undefined
        ? Date.now() + Math.min(reset, this.maxWaitMs)
        : 0
  }

  private async waitForQuota(): Promise<void> {
    const ms = this.exhaustedUntil - Date.now()
    if (ms > 0) await this.sleep(ms)
  }
}

const HINT_URL = 'Check DBDIAGRAM_API_URL (default https://api.dbdiagram.io/v1) and your network.'

export const TOKEN_HINT =
  'dbdiagram API tokens come with paid plans: the workspace owner creates one in the workspace window, "API Tokens" tab. ' +
  'Set DBDIAGRAM_TOKEN in .env.local (never commit it). Without a token: `nself db dbdiagram push --to-file FILE` writes DBML to paste into the editor, ' +
  'and `nself db dbdiagram pull --from-file FILE` reads an exported file back.'

function httpError(status: number, what: string, text: string, path: string): NselfError {
  const detail = serverMessage(text)
  const suffix = detail ? `: ${detail}` : ''
  if (status === 401)
    return new ConfigError(`dbdiagram API: the token in DBDIAGRAM_TOKEN was not accepted (401 on ${what})${suffix}`, {
      hint: TOKEN_HINT,
    })
  if (status === 403) {
    return new ConfigError(`dbdiagram API: the token may not do ${what} (403)${suffix}`, {
      hint: 'Workspace tokens reach only the diagrams of their workspace, and the API needs a paid plan. Check DBDIAGRAM_DIAGRAM_ID and the token.',
    })
  }
  if (status === 404) {
    return new ConfigError(`dbdiagram API: no diagram at ${path} (404)${suffix}`, {
      hint: 'Check DBDIAGRAM_DIAGRAM_ID: the 24-character id at the end of the diagram URL, in a workspace the token belongs to.',
    })
  }
  if (status === 429)
    return new OperationError(`dbdiagram API: ${what} is still rate limited after retrying (429)${suffix}`, {
      hint: 'Wait a minute and try again.',
    })
  if (status >= 500)
    return new ConnectionError(`dbdiagram API: ${what} failed on dbdiagram's side (${status})${suffix}`, {
      hint: 'Try again later.',
    })
  return new OperationError(`dbdiagram API: ${what} was refused (${status})${suffix}`)
}

/** The server's own words, when it gave any ({message}, {error}, or short text). */
function serverMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as Json
    const message = body?.message ?? body?.error
    if (typeof message === 'string') return message.slice(0, 300)
  } catch {
    // Not JSON: fall through.
  }
  return text.trim() ? preview(text) : undefined
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat)
}

/** Retry-After: delay-seconds or an HTTP date. */
export function retryAfterMs(headers: Headers): number | undefined {
  const raw = headers.get('retry-after')?.trim()
  if (!raw) return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000)
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

/** RateLimit-Reset: seconds until the quota refills (IETF draft); a Unix time is tolerated too. */
export function resetMs(headers: Headers): number | undefined {
  const raw = headers.get('ratelimit-reset')?.trim()
  if (!raw || !/^\d+(\.\d+)?$/.test(raw)) return undefined
  const n = Number(raw)
  const seconds = n > 1_000_000_000 ? n - Date.now() / 1000 : n
  return Math.max(0, Math.round(seconds * 1000))
}

interface MapOptions {
  /** The id we asked for (GET) – used when the body names none. */
  id?: string
  /** The content we sent (POST) – used when the answer does not echo it. */
  content?: string
  contentRequired: boolean
}

/**
 * {id|_id, name?, content, updatedAt?}; a {data: …} or {diagram: …} envelope is unwrapped.
 * Anything else is an error that names the field and what came instead.
 */
export function toDiagram(body: unknown, what: string, options: MapOptions): Diagram {
  const object = unwrap(body)
  if (object === undefined) throw surprise(what, '(body)', 'a JSON object', body)
  const idValue = object.id ?? object._id ?? options.id
  if (typeof idValue !== 'string' || idValue.trim() === '')
    throw surprise(what, 'id', 'a string id', object.id ?? object._id)
  const content = object.content ?? (options.contentRequired ? undefined : options.content)
  if (typeof content !== 'string') throw surprise(what, 'content', 'the DBML text as a string', object.content)
  if (object.name !== undefined && object.name !== null && typeof object.name !== 'string')
    throw surprise(what, 'name', 'a string', object.name)
  const updated = object.updatedAt ?? object.updated_at
  return {
    id: idValue,
    content,
    ...(typeof object.name === 'string' ? {name: object.name} : {}),
    ...(typeof updated === 'string' ? {updatedAt: updated} : {}),
  }
}

function unwrap(body: unknown): Json | undefined {
  if (!isObject(body)) return undefined
  for (const key of ['data', 'diagram']) {
    const inner = body[key]
    if (isObject(inner) && !('content' in body) && !('id' in body)) return inner
  }
  return body
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function surprise(what: string, field: string, expected: string, got: unknown): OperationError {
  const text = (JSON.stringify(got) ?? String(got)).replace(/\s+/g, ' ')
  const shown =
    got === undefined
      ? 'nothing'
      : `${Array.isArray(got) ? 'an array' : typeof got} ${text.length > 120 ? `${text.slice(0, 120)}…` : text}`
  return new OperationError(
    `dbdiagram API: unexpected answer to ${what}: field "${field}" should be ${expected}, got ${shown}`,
    {
      hint: 'The API (Beta) may have changed. Nothing was written. Please report this with the message above; DBDIAGRAM_API_URL can point to another version.',
    },
  )
}
