import {expect} from 'chai'
import {normalizeArgv} from '../src/argv.js'

const ids = new Set(['db:migrate:up', 'db:ping', 'plugins:install'])
const config = {findCommand: (id: string) => (ids.has(id) ? {id} : undefined)}

describe('normalizeArgv', () => {
  it('joins a mixed spelling into the colon id and keeps every flag', () => {
    expect(normalizeArgv(config, ['db', 'migrate:up', '--dry-run', '--steps', '1'])).to.deep.equal([
      'db:migrate:up',
      '--dry-run',
      '--steps',
      '1',
    ])
  })
  it('leaves the all-spaces and all-colons spellings alone', () => {
    expect(normalizeArgv(config, ['db', 'migrate', 'up', '--steps', '1'])).to.deep.equal([
      'db',
      'migrate',
      'up',
      '--steps',
      '1',
    ])
    expect(normalizeArgv(config, ['db:migrate:up', '--steps', '1'])).to.deep.equal(['db:migrate:up', '--steps', '1'])
  })
  it('leaves arguments that are not command words alone', () => {
    expect(normalizeArgv(config, ['plugins', 'install', 'file:/x.tgz'])).to.deep.equal([
      'plugins',
      'install',
      'file:/x.tgz',
    ])
  })
})
