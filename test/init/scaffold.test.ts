import {expect} from 'chai'
import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../helpers/cli.js'
import {databaseName} from '../../src/init/scaffold.js'

describe('nself init', () => {
  it('scaffolds the layout of the spec and says what it created', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nself-init-')), 'My App')
    const result = await runCli(['init', dir, '--json'])
    expect(result.code, result.stderr).to.equal(0)
    const json = JSON.parse(result.stdout)
    expect(json.created).to.include.members(['.env.local', 'database/schema.dbml', 'docker-compose.yml', '.gitignore'])
    for (const folder of [
      'database/migrations',
      'database/seeds/development',
      'database/seeds/staging',
      'database/seeds/production',
      'database/backups',
    ]) {
      expect(existsSync(join(dir, folder)), folder).to.equal(true)
    }
    expect(readFileSync(join(dir, 'database/schema.dbml'), 'utf8')).to.equal(
      readFileSync(join(import.meta.dirname, '../fixtures/initial.dbml'), 'utf8'),
    )
    const env = readFileSync(join(dir, '.env.local'), 'utf8')
    expect(statSync(join(dir, '.env.local')).mode & 0o777).to.equal(0o600)
    expect(env).to.match(/^POSTGRES_PASSWORD=[A-Za-z0-9_-]{20,}$/m)
    expect(env).to.include('POSTGRES_DB=my_app')
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).to.include('database/backups/')
    const compose = readFileSync(join(dir, 'docker-compose.yml'), 'utf8')
    for (const service of ['postgres:', 'hasura:', 'mailhog:']) expect(compose).to.include(service)
    expect(compose).to.include('env_file: .env.local')
  })

  it('never overwrites a file without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nself-init-'))
    writeFileSync(join(dir, '.gitignore'), 'mine\n')
    const first = await runCli(['init', dir], {cwd: dir})
    expect(first.stdout).to.include('exists, kept .gitignore')
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).to.equal('mine\n')
    const env = readFileSync(join(dir, '.env.local'), 'utf8')
    const second = await runCli(['init', dir, '--json'], {cwd: dir})
    expect(JSON.parse(second.stdout).created).to.deep.equal([])
    expect(readFileSync(join(dir, '.env.local'), 'utf8')).to.equal(env)
    const forced = await runCli(['init', dir, '--force', '--json'], {cwd: dir})
    expect(JSON.parse(forced.stdout).overwritten).to.include('.gitignore')
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).not.to.equal('mine\n')
  })

  it('derives a valid database name from the folder name', () => {
    expect(databaseName('/x/My App')).to.equal('my_app')
    expect(databaseName('/x/2024-shop')).to.equal('db_2024_shop')
  })
})
