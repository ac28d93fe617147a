import {expect} from 'chai'
import {lstatSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ExitCode, NselfError} from '@nself/sdk/errors'
import {writeAtomic} from '../../src/lib/files.js'
import {loadSettings, parseDiagramId} from '../../src/lib/settings.js'
import {hashContent, readState, writeState} from '../../src/lib/state.js'
import {baseFor, compare} from '../../src/lib/sync.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'nself-dbdiagram-lib-'))

describe('dbdiagram: sync verdicts, the sync record, settings and safe writes', () => {
  const base = {version: 1 as const, hash: hashContent('A\n'), syncedAt: '', content: 'A\n', diagramId: 'd1'}

  it('tells the five states apart from local, remote and the last synced content', () => {
    expect(compare('A', 'A', base).status).to.equal('in-sync')
    expect(compare('B', 'A', base).status).to.equal('local-ahead')
    expect(compare('A', 'B', base).status).to.equal('remote-ahead')
    expect(compare('B', 'C', base).status).to.equal('both-changed')
    expect(compare('B', 'C', undefined).status).to.equal('unknown')
    // Line endings and trailing blank lines are not changes.
    expect(compare('A\r\n\r\n', 'A', base).status).to.equal('in-sync')
  })

  it('a record made for another diagram does not count', () => {
    expect(baseFor(base, 'd1')).to.equal(base)
    expect(baseFor(base, 'd2')).to.equal(undefined)
    expect(baseFor({...base, diagramId: undefined}, 'd2')).to.not.equal(undefined)
  })

  it('writes the record atomically and reads it back; a bad record names the field', async () => {
    const dir = tmp()
    const file = join(dir, '.dbdiagram.json')
    await writeState(file, 'database/.dbdiagram.json', 'Table t {\r\n}\r\n', '0123456789abcdef01234567')
    const state = await readState(file, 'database/.dbdiagram.json')
    expect(state).to.include({
      diagramId: '0123456789abcdef01234567',
      hash: hashContent('Table t {\n}\n'),
      content: 'Table t {\n}\n',
    })
    expect(readdirSync(dir)).to.deep.equal(['.dbdiagram.json'])
    writeFileSync(file, JSON.stringify({hash: 'nope'}))
    try {
      await readState(file, 'database/.dbdiagram.json')
      expect.fail('should throw')
    } catch (error) {
      expect((error as NselfError).exit).to.equal(ExitCode.config)
      expect((error as Error).message).to.equal('database/.dbdiagram.json: field "hash" should be a sha256 hex digest')
    }
    // Text that does not match the hash is dropped (it would show wrong diffs); the hash stays.
    writeFileSync(file, JSON.stringify({hash: hashContent('X'), content: 'Y\n'}))
    expect(await readState(file, 'x')).to.not.have.property('content')
  })

  it('refuses to write through a symbolic link, and keeps the mode of a file it replaces', async () => {
    const dir = tmp()
    const target = join(dir, 'target.dbml')
    writeFileSync(target, 'keep', {mode: 0o600})
    const link = join(dir, 'link.dbml')
    symlinkSync(target, link)
    try {
      await writeAtomic(link, 'new', 'link.dbml')
      expect.fail('should refuse')
    } catch (error) {
      expect((error as NselfError).exit).to.equal(ExitCode.refused)
    }
    expect(readFileSync(target, 'utf8')).to.equal('keep')
    await writeAtomic(target, 'replaced', 'target.dbml')
    expect(readFileSync(target, 'utf8')).to.equal('replaced')
    expect(lstatSync(target).mode & 0o777).to.equal(0o600)
  })

  it('takes its settings from the project nself loads (loadProject), naming where each came from', () => {
    const dir = tmp()
    const project = (env: Record<string, string>, sources: Record<string, string>) => ({root: dir, env, sources})
    const s = loadSettings(
      project(
        {
          DBDIAGRAM_TOKEN: 'from-process',
          DBDIAGRAM_DIAGRAM_ID: 'https://dbdiagram.io/d/Shop-bbbbbbbbbbbbbbbbbbbbbbbb',
          DBDIAGRAM_API_URL: 'http://127.0.0.1:1234/v1/',
        },
        {
          DBDIAGRAM_TOKEN: 'the process environment',
          DBDIAGRAM_DIAGRAM_ID: '.env.staging',
          DBDIAGRAM_API_URL: '.env.local',
        },
      ),
    )
    expect(s).to.include({
      token: 'from-process',
      diagramId: 'bbbbbbbbbbbbbbbbbbbbbbbb',
      diagramIdSource: '.env.staging',
      apiUrl: 'http://127.0.0.1:1234/v1',
    })
    expect(s.stateFile).to.equal(join(dir, 'database', '.dbdiagram.json'))
    expect(loadSettings(project({}, {})).apiUrl).to.equal('https://api.dbdiagram.io/v1')
    expect(() =>
      loadSettings(project({DBDIAGRAM_API_URL: 'http://api.example.com/v1'}, {DBDIAGRAM_API_URL: '.env.local'})),
    ).to.throw('DBDIAGRAM_API_URL in .env.local must start with https://')
  })

  it('takes the trailing 24-hex id of a diagram URL', () => {
    expect(parseDiagramId('69608C68D6E030A02488F144', 'x')).to.equal('69608c68d6e030a02488f144')
    expect(parseDiagramId('https://dbdiagram.io/d/My_Name-69459a734bbde0fd74d8852f', 'x')).to.equal(
      '69459a734bbde0fd74d8852f',
    )
    expect(parseDiagramId('https://dbdiagram.io/d/69459a734bbde0fd74d8852f/?utm=1', 'x')).to.equal(
      '69459a734bbde0fd74d8852f',
    )
    expect(() => parseDiagramId('https://dbdiagram.io/d/abc', '--diagram')).to.throw(
      '--diagram "https://dbdiagram.io/d/abc" is not a diagram id',
    )
  })
})
