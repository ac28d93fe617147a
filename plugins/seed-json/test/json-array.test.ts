import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {readJsonArray, type JsonSeedError} from '../src/json-array.js'
import {findJsonError} from '../src/json-check.js'

const dir = mkdtempSync(join(tmpdir(), 'nself-json-'))
let n = 0
function file(content: string | Buffer): string {
  const path = join(dir, `f${++n}.json`)
  writeFileSync(path, content)
  return path
}

/** A parsed JSON value seen as nested objects: enough for the tests to look at raw-text symbols. */
interface Nested {
  [key: string | symbol]: Nested
}

async function read(content: string | Buffer, chunkBytes?: number): Promise<unknown[]> {
  const rows: unknown[] = []
  for await (const row of readJsonArray(file(content), {chunkBytes})) rows.push(row)
  return rows
}

async function failure(content: string, chunkBytes?: number): Promise<JsonSeedError> {
  try {
    await read(content, chunkBytes)
  } catch (error) {
    return error as JsonSeedError
  }
  throw new Error('expected an error')
}

describe('seed-json: streaming JSON array reader', () => {
  const tricky = [
    {a: 'brace } and bracket ] in a string', b: 'escaped \\" quote and \\\\', c: [1, {d: [2, 3]}], e: null},
    {ü: 'ünï€😀', empty: {}, list: [], n: -1.5e3, t: true},
    {},
  ]

  it('yields the same objects whatever the chunk size (elements split across chunks)', async () => {
    const text = JSON.stringify(tricky, null, 2)
    for (const chunk of [1, 2, 3, 7, 64, 1 << 20])
      expect(await read(text, chunk), `chunk ${chunk}`).to.deep.equal(tricky)
  })

  it('keeps the JSON text of nested values (for json columns) under Symbol.for("nself.rawJson")', async () => {
    const RAW = Symbol.for('nself.rawJson')
    const text = '[{"a": {"x": [1, "}"]}, "b": 1, "c": [ {"y": null} ]},\n {"1": {"n": 1}, "z": {"m": 2}}]'
    for (const chunk of [1, 5, 1 << 16]) {
      const rows = (await read(text, chunk)) as Nested[]
      expect(rows[0].a[RAW], `chunk ${chunk}`).to.equal('{"x": [1, "}"]}')
      expect(rows[0].c[RAW]).to.equal('[ {"y": null} ]')
      expect(rows[0].c[0][RAW]).to.equal(undefined) // only values of the row's own keys
      // Integer-like keys come first in JavaScript, whatever the text order: no raw text, no mix-up.
      expect(rows[1]['1'][RAW]).to.equal(undefined)
      expect(rows[1].z[RAW]).to.equal(undefined)
      expect(rows).to.deep.equal(JSON.parse(text))
    }
  })

  it('reads an empty array, a byte order mark and surrounding whitespace', async () => {
    expect(await read(' [ ] \n')).to.deep.equal([])
    expect(await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"a":1}]')]), 2)).to.deep.equal([
      {a: 1},
    ])
  })

  it('reports malformed JSON with its byte offset, line, column and row', async () => {
    const text = '[\n{"a": 1},\n{"a": 2},\n{"a": 3, "b": tru}\n]'
    for (const chunk of [5, 1 << 20]) {
      const error = await failure(text, chunk)
      expect(error.row).to.equal(3)
      expect(error.byteOffset).to.equal(text.indexOf('tru}'))
      expect(error.message).to.equal(
        `malformed JSON at byte ${text.indexOf('tru}')} (line 4, column 15): unexpected "t": expected a value`,
      )
    }
  })

  it('counts bytes, not characters, before a mistake', async () => {
    const text = '[{"name": "ünï€"}, {"name": "x",}]'
    const error = await failure(text)
    expect(error.byteOffset).to.equal(Buffer.byteLength(text.slice(0, text.indexOf(',}') + 1)))
    expect(error.row).to.equal(2)
  })

  it('rejects what is not an array of objects, and a truncated file', async () => {
    expect((await failure('{"a": 1}')).message).to.equal('expected a JSON array ("[") but found "{"')
    const notObject = await failure('[{"a": 1}, 42]')
    expect(notObject.message).to.equal('expected an object ("{") for row 2 but found "4"')
    expect(notObject.row).to.equal(2)
    expect((await failure('[{"a": 1} {"a": 2}]')).message).to.equal('expected "," or "]" after row 1 but found "{"')
    const truncated = await failure('[{"a": 1},\n{"a": [1, 2')
    expect(truncated.message).to.equal(
      'unexpected end of file inside row 2 (which starts on line 2): the array is not closed with ]',
    )
    expect(truncated.byteOffset).to.equal(22)
    expect((await failure('[{"a": 1}] x')).message).to.equal('unexpected "x" after the end of the array')
    expect((await failure('')).message).to.equal('the file is empty: expected a JSON array ([ … ])')
  })

  it('findJsonError agrees with JSON.parse on what is valid', () => {
    for (const ok of ['{"a":[1,-2.5e+3,"\\u00e9\\n"],"b":{}}', '[]', ' {"x" : null } '])
      expect(findJsonError(ok), ok).to.equal(undefined)
    for (const bad of ['{"a":01}', '{"a":"x\ny"}', "{'a':1}", '{"a":1,}', '{"a":"\\x"}', '[1 2]']) {
      expect(() => JSON.parse(bad), bad).to.throw()
      expect(findJsonError(bad), bad).to.have.property('offset')
    }
  })

  it('keeps memory flat on a large file (reads 200,000 rows with a small heap growth)', async function () {
    this.timeout(30_000)
    const row = JSON.stringify({
      id: 1,
      user_id: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
      kind: 'click',
      payload: {page: '/home', n: 12345},
      created_at: '2024-01-01T00:00:00Z',
    })
    const path = join(dir, 'large.json')
    writeFileSync(path, `[${Array.from({length: 200_000}, () => row).join(',\n')}]`)
    global.gc?.()
    const before = process.memoryUsage().heapUsed
    let peak = before
    let count = 0
    for await (const _ of readJsonArray(path))
      if (++count % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
    expect(count).to.equal(200_000)
    // The file is ~30 MB; holding it (as a string, then as objects) would take several times that.
    expect((peak - before) / 1e6).to.be.below(24)
  })
})

describe('seed-json: nself db seed lint (a command registered by the plugin)', () => {
  it('counts the rows and columns of a good file, and reports a malformed one with exit 5', async () => {
    const {runCli} = await import('../../../test/helpers/cli.js')
    const good = await runCli(['db', 'seed', 'lint', file('[{"a": 1}, {"a": 2, "b": null}]')])
    expect(good.code, good.stderr).to.equal(0)
    expect(good.stdout).to.match(/: 2 rows; columns: a, b\n$/)
    const text = '[{"a": 1}, {"a" 2}]'
    const bad = await runCli(['db', 'seed', 'lint', file(text), '--json'])
    expect(bad.code).to.equal(5)
    expect(JSON.parse(bad.stdout).error.message).to.match(
      new RegExp(
        `row 2: malformed JSON at byte ${text.indexOf('2')} \\(line 1, column ${text.indexOf('2') + 1}\\): unexpected "2": expected ":" after the property name$`,
      ),
    )
  })
})
