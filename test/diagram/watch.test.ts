import {expect} from 'chai'
import {mkdtempSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {generateDiagram, startWatch} from '../../src/diagram/index.js'

/** Reads Server-Sent Events from the watch server until `count` data lines arrived. */
function events(url: string, count: number): {done: Promise<string[]>; ready: Promise<void>} {
  const got: string[] = []
  let ready!: () => void
  const readyP = new Promise<void>((r) => (ready = r))
  const done = new Promise<string[]>((resolve, reject) => {
    const req = request(`${url}events`, (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (chunk.includes('retry:')) ready()
        for (const m of chunk.matchAll(/^data: (.*)$/gm)) got.push(m[1])
        if (got.length >= count) {
          req.destroy()
          resolve(got)
        }
      })
    })
    req.on('error', (e) => (got.length >= count ? undefined : reject(e)))
    req.end()
  })
  return {done, ready: readyP}
}

describe('nself db diagram --watch server', () => {
  it('re-renders on every save, reloads open pages, shows schema errors, and serves 127.0.0.1 only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nself-diagram-watch-'))
    const schemaFile = join(dir, 'schema.dbml')
    const out = join(dir, 'diagram.html')
    writeFileSync(schemaFile, 'Table first {\n  id int [pk]\n}\n')
    const outcomes: boolean[] = []
    const server = await startWatch({
      schemaFile,
      render: async () => (await generateDiagram({schemaFile, shown: 'schema.dbml', out, format: 'html'})).text,
      onRender: (r) => outcomes.push(r.ok),
    })
    try {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const page1 = await (await fetch(server.url)).text()
      expect(page1).to.contain('data-name="first"').and.contain("new EventSource('/events')")
      expect(readFileSync(out, 'utf8')).not.to.contain('EventSource')

      const stream = events(server.url, 2)
      await stream.ready
      // Saved the way editors do: a new file renamed over the old one.
      writeFileSync(`${schemaFile}.tmp`, 'Table second {\n  id int [pk]\n}\n')
      renameSync(`${schemaFile}.tmp`, schemaFile)
      await new Promise((r) => setTimeout(r, 1500))
      writeFileSync(schemaFile, 'Table broken {\n  id int [pk\n')
      expect(await stream.done).to.deep.equal(['reload', 'reload'])
      const page3 = await (await fetch(server.url)).text()
      expect(page3).to.contain('The schema has errors').and.contain('schema.dbml:')
      expect(readFileSync(out, 'utf8')).to.contain('data-name="second"')
      expect(outcomes).to.deep.equal([true, true, false])

      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(server.url, {headers: {host: 'evil.example:80'}}, (res) => resolve(res.statusCode ?? 0))
        req.on('error', reject)
        req.end()
      })
      expect(rebound).to.equal(403)
    } finally {
      await server.close()
    }
  })
})
