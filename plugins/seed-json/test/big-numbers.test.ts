/** Numbers JavaScript cannot hold exactly keep the digits of the file. */
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {readJsonArray} from '../src/json-array.js'

const RAW_JSON = Symbol.for('nself.rawJson')

async function read(content: string, chunkBytes?: number): Promise<Record<string, unknown>[]> {
  const path = join(mkdtempSync(join(tmpdir(), 'nself-json-big-')), 'f.json')
  writeFileSync(path, content)
  const rows: Record<string, unknown>[] = []
  for await (const row of readJsonArray(path, {chunkBytes})) rows.push(row)
  return rows
}

describe('seed-json: numbers beyond what a double holds', () => {
  const text = `[
  {"id": 9007199254740993, "n": 123456789012345678901234567890123456789, "d": 12345678901234567890.1234567890123456789,
   "small": 1.5, "safe": 9007199254740991, "neg": -9007199254740993, "exp": 1e400, "tiny": 1e-400,
   "s": "9007199254740993", "arr": [9007199254740993, 1], "doc": {"x": 9007199254740993}},
  {"id": 2, "text": 12345678901234567890}
]`

  for (const chunkBytes of [undefined, 7]) {
    it(`carries the digits as written (chunks of ${chunkBytes ?? 'default'} bytes)`, async () => {
      const [a, b] = await read(text, chunkBytes)
      expect(a.id).to.equal(9007199254740993n)
      expect(a.n).to.equal(123456789012345678901234567890123456789n)
      expect(a.d).to.equal('12345678901234567890.1234567890123456789')
      expect(a.small).to.equal(1.5)
      expect(a.safe).to.equal(9007199254740991)
      expect(a.neg).to.equal(-9007199254740993n)
      expect(a.exp).to.equal('1e400')
      expect(a.tiny).to.equal('1e-400')
      expect(a.s).to.equal('9007199254740993')
      expect(a.arr).to.deep.equal([9007199254740993n, 1])
      expect((a.doc as Record<symbol, string>)[RAW_JSON]).to.equal('{"x": 9007199254740993}')
      expect(b.text).to.equal(12345678901234567890n)
    })
  }

  it('leaves rows of ordinary numbers exactly as JSON.parse gives them', async () => {
    const rows = await read('[{"a": 1, "b": 2.25, "c": -0, "d": 1e3, "e": "12345678901234567890"}]')
    expect(rows).to.deep.equal([{a: 1, b: 2.25, c: -0, d: 1000, e: '12345678901234567890'}])
  })
})
