import {expect} from 'chai'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadConfig} from '../../src/config/index.js'
import {parseEnv} from '../../src/config/dotenv.js'

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nself-config-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

function configError(fn: () => unknown): {message: string; exit: number; hint?: string} {
  try {
    fn()
  } catch (error) {
    return error as {message: string; exit: number}
  }
  throw new Error('expected a config error')
}

describe('configuration', () => {
  it('uses the documented defaults and the embedded server when nothing is set', () => {
    const config = loadConfig({cwd: project({}), env: {}})
    expect(config.environment).to.equal('development')
    expect(config.connection.embedded).to.equal(true)
    expect(config.settings).to.deep.equal({
      migrationTable: 'schema_migrations',
      migrationLockTimeoutSeconds: 60,
      migrationStatementTimeoutSeconds: 300,
      backupRetentionDays: 30,
      backupCompression: false,
      backupLocation: './database/backups',
      autoMigrate: false,
      confirmDestructive: false,
      seedOnInit: false,
    })
  })

  it('takes the process environment over .env.local over .env.<environment> over .env', () => {
    const dir = project({
      '.env': 'DB_MIGRATION_TABLE=from_env\nDB_BACKUP_RETENTION_DAYS=1\nDB_MIGRATION_LOCK_TIMEOUT=1\nENVIRONMENT=staging\n',
      '.env.staging': 'DB_MIGRATION_TABLE=from_staging\nDB_BACKUP_RETENTION_DAYS=2\n',
      '.env.local': 'DB_MIGRATION_TABLE=from_local\n',
    })
    const config = loadConfig({cwd: dir, env: {DB_MIGRATION_LOCK_TIMEOUT: '9'}})
    expect(config.environment).to.equal('staging')
    expect(config.settings.migrationTable).to.equal('from_local')
    expect(config.settings.backupRetentionDays).to.equal(2)
    expect(config.settings.migrationLockTimeoutSeconds).to.equal(9)
  })

  it('reads every setting the spec lists', () => {
    const dir = project({
      '.env.local': [
        'DB_MIGRATION_TABLE=nself.migrations',
        'DB_MIGRATION_LOCK_TIMEOUT=5',
        'DB_MIGRATION_STATEMENT_TIMEOUT=0',
        'DB_BACKUP_RETENTION_DAYS=7',
        'DB_BACKUP_COMPRESSION=true',
        'DB_BACKUP_LOCATION=/var/backups/app',
        'DB_AUTO_MIGRATE=yes',
        'DB_CONFIRM_DESTRUCTIVE=1',
        'DB_SEED_ON_INIT=TRUE',
      ].join('\n'),
    })
    const config = loadConfig({cwd: dir, env: {}})
    expect(config.settings).to.deep.equal({
      migrationTable: 'nself.migrations',
      migrationLockTimeoutSeconds: 5,
      migrationStatementTimeoutSeconds: 0,
      backupRetentionDays: 7,
      backupCompression: true,
      backupLocation: '/var/backups/app',
      autoMigrate: true,
      confirmDestructive: true,
      seedOnInit: true,
    })
    expect(config.backupDir).to.equal('/var/backups/app')
  })

  const bad: [string, string][] = [
    ['DB_MIGRATION_LOCK_TIMEOUT', 'soon'],
    ['DB_MIGRATION_STATEMENT_TIMEOUT', '-1'],
    ['DB_BACKUP_RETENTION_DAYS', '3.5'],
    ['DB_BACKUP_COMPRESSION', 'maybe'],
    ['DB_AUTO_MIGRATE', 'sure'],
    ['DB_CONFIRM_DESTRUCTIVE', '2'],
    ['DB_SEED_ON_INIT', 'y e s'],
    ['DB_MIGRATION_TABLE', 'drop table x;'],
    ['POSTGRES_PORT', '70000'],
  ]
  for (const [variable, value] of bad) {
    it(`rejects ${variable}=${value} naming the variable, the file and line, and what is allowed`, () => {
      const dir = project({'.env.local': `# settings\n${variable}=${value}\n`})
      const error = configError(() => loadConfig({cwd: dir, env: {}}))
      expect(error.exit).to.equal(3)
      expect(error.message).to.include(variable)
      expect(error.message).to.include('.env.local:2')
      expect(error.message).to.match(/expected .+/)
    })
  }

  it('names the process environment as the source of a bad value from it', () => {
    const error = configError(() => loadConfig({cwd: project({}), env: {DB_AUTO_MIGRATE: 'perhaps'}}))
    expect(error.message).to.equal('DB_AUTO_MIGRATE="perhaps" in the process environment is not valid: expected true or false')
  })

  it('reads POSTGRES_* and prefers DATABASE_URL', () => {
    const dir = project({'.env.local': 'POSTGRES_HOST=db.internal\nPOSTGRES_PORT=6543\nPOSTGRES_DB=app\nPOSTGRES_USER=app\nPOSTGRES_PASSWORD=pw1234\n'})
    const fromParts = loadConfig({cwd: dir, env: {}}).connection
    expect(fromParts).to.deep.equal({host: 'db.internal', port: 6543, database: 'app', user: 'app', password: 'pw1234', embedded: false})
    const fromUrl = loadConfig({cwd: dir, env: {DATABASE_URL: 'postgresql://u%40x:p%3Aw@h:5544/d%20b?sslmode=disable'}}).connection
    expect(fromUrl).to.include({host: 'h', port: 5544, database: 'd b', user: 'u@x', password: 'p:w', embedded: false})
  })

  it('rejects a DATABASE_URL that is not postgres://', () => {
    const error = configError(() => loadConfig({cwd: project({}), env: {DATABASE_URL: 'mysql://x@y/z'}}))
    expect(error.exit).to.equal(3)
    expect(error.message).to.include('DATABASE_URL')
  })

  it('parses quotes, export prefixes and comments in .env files, and names bad lines', () => {
    const entries = parseEnv('export A="x # y"\nB=\'single\' \nC=plain # comment\n\n# only a comment\nD=""\n', '.env')
    expect([...entries].map(([k, v]) => [k, v.value, v.line])).to.deep.equal([
      ['A', 'x # y', 1],
      ['B', 'single', 2],
      ['C', 'plain', 3],
      ['D', '', 6],
    ])
    const error = configError(() => parseEnv('GOOD=1\nthis is not a setting\n', '.env.local'))
    expect(error.message).to.match(/^\.env\.local:2: /)
  })

  it('finds the project root from a sub-folder', () => {
    const dir = project({'.env.local': 'DB_MIGRATION_TABLE=found_it\n'})
    const sub = join(dir, 'a', 'b')
    mkdirSync(sub, {recursive: true})
    const config = loadConfig({cwd: sub, env: {}})
    expect(config.project.root).to.equal(dir)
    expect(config.settings.migrationTable).to.equal('found_it')
  })
})
