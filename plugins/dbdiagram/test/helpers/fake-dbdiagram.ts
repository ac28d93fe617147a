/**
 * A local stand-in for dbdiagram's Public API v1, implementing the documented behaviour: the
 * `dbdiagram-access-token` header (401 without a valid one, 403 for another workspace's diagram),
 * 404 for unknown ids, 429 with Retry-After when told to, RateLimit-* headers, and the diagram
 * shapes {id, name, content, createdAt, updatedAt}. Tests read and change `diagrams` directly: that
 * is "the remote" whose final state they assert on.
 */
import {randomBytes} from 'node:crypto'
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface StoredDiagram {
  name: string
  content: string
  /** Diagrams of another workspace answer 403. */
  workspace: string
  createdAt: string
  updatedAt: string
}

export class FakeDbdiagram {
  readonly diagrams = new Map<string, StoredDiagram>()
  /** token → workspace */
  readonly tokens = new Map<string, string>()
  readonly requests: Array<{method: string; path: string; token?: string; at: number}> = []
  /** The next N requests answer 429 with this Retry-After. */
  rateLimited = {count: 0, retryAfter: '1'}
  /** Sent as RateLimit-Remaining/-Reset on the next answer, when set. */
  quota?: {remaining: number; reset: number}
  /** Replaces the next successful body (to test defensive mapping). */
  nextBody?: unknown
  /** Name of the id field in answers ("id", or "_id" as some clients report). */
  idField = 'id'
  private server?: Server

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  add(content: string, options: {name?: string; workspace?: string} = {}): string {
    const id = randomBytes(12).toString('hex')
    const now = new Date().toISOString()
    this.diagrams.set(id, {
      name: options.name ?? 'diagram',
      content,
      workspace: options.workspace ?? 'team',
      createdAt: now,
      updatedAt: now,
    })
    return id
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = req.headers['dbdiagram-access-token'] as string | undefined
    const path = new URL(req.url ?? '/', 'http://x').pathname
    this.requests.push({method: req.method ?? '', path, token, at: Date.now()})
    const body = await readBody(req)
    res.setHeader('RateLimit-Limit', '60')
    if (this.quota) {
      res.setHeader('RateLimit-Remaining', String(this.quota.remaining))
      res.setHeader('RateLimit-Reset', String(this.quota.reset))
      this.quota = undefined
    }
    if (this.rateLimited.count > 0) {
      this.rateLimited.count--
      res.setHeader('Retry-After', this.rateLimited.retryAfter)
      return send(res, 429, {message: 'Too many requests'})
    }
    const workspace = token ? this.tokens.get(token) : undefined
    if (!workspace) return send(res, 401, {message: 'No valid API key provided.'})
    const match = /^\/v1\/diagrams(?:\/([^/]+))?$/.exec(path)
    if (!match) return send(res, 404, {message: 'Not found'})
    const id = match[1]
    if (!id && req.method === 'POST') return this.create(res, body, workspace)
    const diagram = id ? this.diagrams.get(id) : undefined
    if (!id || !diagram) return send(res, 404, {message: 'Diagram not found'})
    if (diagram.workspace !== workspace) return send(res, 403, {message: 'Forbidden'})
    if (req.method === 'GET') return this.answer(res, 200, id, diagram)
    if (req.method === 'PUT') {
      if (typeof body?.content !== 'string') return send(res, 400, {message: 'content is required'})
      diagram.content = body.content
      if (typeof body.name === 'string') diagram.name = body.name
      diagram.updatedAt = new Date().toISOString()
      return this.answer(res, 200, id, diagram)
    }
    return send(res, 405, {message: 'Method not allowed'})
  }

  private create(res: ServerResponse, body: Record<string, unknown> | undefined, workspace: string): void {
    if (typeof body?.name !== 'string' || typeof body.content !== 'string')
      return send(res, 400, {message: 'name and content are required'})
    const id = this.add(body.content, {name: body.name, workspace})
    this.answer(res, 200, id, this.diagrams.get(id)!)
  }

  private answer(res: ServerResponse, status: number, id: string, d: StoredDiagram): void {
    if (this.nextBody !== undefined) {
      const body = this.nextBody
      this.nextBody = undefined
      return send(res, status, body)
    }
    send(res, status, {
      [this.idField]: id,
      name: d.name,
      content: d.content,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    })
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let text = ''
  for await (const chunk of req) text += chunk
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}
