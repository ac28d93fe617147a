/**
 * `--watch`: a small server on 127.0.0.1 that serves the newest page and tells open pages to
 * reload (Server-Sent Events) after every save of the schema. A save that does not parse shows
 * the errors on the page instead of stopping the server.
 */
import {watch, type FSWatcher} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {basename, dirname} from 'node:path'
import {escapeXml} from './svg.js'

export interface WatchOptions {
  schemaFile: string
  /** Renders the page (and writes the file); rejects with a message to show when the schema is broken. */
  render: () => Promise<string>
  /** 0 (default): any free port. */
  port?: number
  /** Told after each render: "updated" or the error. */
  onRender?: (outcome: {ok: true} | {ok: false; message: string}) => void
}

export interface WatchServer {
  url: string
  /** Renders now and reloads open pages (also called on every change of the schema file). */
  refresh(): Promise<void>
  close(): Promise<void>
}

const RELOAD = `<script>(function(){var es=new EventSource('/events');es.onmessage=function(){location.reload()};})();</script>`

function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nself db diagram: schema error</title>
<style>body{font-family:system-ui,sans-serif;background:#fef2f2;color:#7f1d1d;margin:40px}pre{white-space:pre-wrap;font-size:13px;background:#fff;border:1px solid #fecaca;border-radius:8px;padding:16px}</style></head>
<body><h1>The schema has errors</h1><p>The diagram comes back on the next save that parses.</p><pre>${escapeXml(message)}</pre></body></html>`
}

/** The page with the reload script before its last </body> (user text is escaped, so this one is ours). */
export function withReload(html: string): string {
  const at = html.lastIndexOf('</body>')
  return at < 0 ? html + RELOAD : html.slice(0, at) + RELOAD + html.slice(at)
}

export async function startWatch(options: WatchOptions): Promise<WatchServer> {
  let page = ''
  const clients = new Set<ServerResponse>()
  const server = createServer((req, res) => handle(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // Another site's page may not read the diagram through a rebound DNS name.
    if (!allowedHosts.has(req.headers.host ?? '')) return void res.writeHead(403).end('forbidden host\n')
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET') return void res.writeHead(405, {allow: 'GET'}).end()
    if (path === '/events') {
      res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive'})
      res.write('retry: 1000\n\n')
      clients.add(res)
      req.on('close', () => clients.delete(res))
      return
    }
    if (path !== '/' && path !== '/index.html') return void res.writeHead(404).end('not found\n')
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    res.end(page)
  }

  let running: Promise<void> | undefined
  let again = false
  async function renderOnce(): Promise<void> {
    try {
      page = withReload(await options.render())
      options.onRender?.({ok: true})
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      page = withReload(errorPage(message))
      options.onRender?.({ok: false, message})
    }
    for (const c of clients) c.write('data: reload\n\n')
  }
  /** One render at a time; saves during a render cause exactly one more. */
  function refresh(): Promise<void> {
    if (running) {
      again = true
      return running
    }
    running = renderOnce().finally(() => {
      running = undefined
      if (again) {
        again = false
        void refresh()
      }
    })
    return running
  }

  await refresh()
  // Watch the folder, not the file: editors save by writing a new file and renaming it over the old one.
  const name = basename(options.schemaFile)
  let timer: NodeJS.Timeout | undefined
  const watcher: FSWatcher = watch(dirname(options.schemaFile), (_event, file) => {
    if (file && file !== name) return
    clearTimeout(timer)
    timer = setTimeout(() => void refresh(), 120)
  })

  return {
    url: `http://127.0.0.1:${port}/`,
    refresh,
    async close() {
      clearTimeout(timer)
      watcher.close()
      for (const c of clients) c.end()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}
