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
      '.env':
        'DB_MIGRATION_TABLE=from_env\nDB_BACKUP_RETENTION_DAYS=1\nDB_MIGRATION_LOCK_TIMEOUT=1\nENVIRONMENT=staging\n',
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
    expect(error.message).to.equal(
      'DB_AUTO_MIGRATE="perhaps" in the process environment is not valid: expected true or false',
    )
  })

  it('reads POSTGRES_* and prefers DATABASE_URL', () => {
    const dir = project({
      '.env.local':
        'POSTGRES_HOST=db.internal\nPOSTGRES_PORT=6543\nPOSTGRES_DB=app\nPOSTGRES_USER=app\nPOSTGRES_PASSWORD=pw1234\n',
    })
    const fromParts = loadConfig({cwd: dir, env: {}}).connection
    expect(fromParts).to.deep.equal({
      host: 'db.internal',
      port: 6543,
      database: 'app',
      user: 'app',
      password: 'pw1234',
      embedded: false,
    })
    const fromUrl = loadConfig({
      cwd: dir,
      env: {DATABASE_URL: 'postgresql://u%40x:p%3Aw@h:5544/d%20b?sslmode=disable'},
    }).connection
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

  it('reads .env files as dotenv does: a quoted value keeps no quotes before a # comment', () => {
    const entries = parseEnv(
      'POSTGRES_PASSWORD="s3cr#t" # the password\nB=\'5\' # five\nMULTI="one\ntwo"\nAFTER=x\n',
      '.env',
    )
    expect([...entries].map(([k, v]) => [k, v.value, v.line])).to.deep.equal([
      ['POSTGRES_PASSWORD', 's3cr#t', 1],
      ['B', '5', 2],
      ['MULTI', 'one\ntwo', 3],
      ['AFTER', 'x', 5],
    ])
    const dir = project({'.env.local': '# timeouts\nDB_MIGRATION_LOCK_TIMEOUT="5" # seconds\n'})
    expect(loadConfig({cwd: dir, env: {}}).settings.migrationLockTimeoutSeconds).to.equal(5)
  })

  const badAtLoad: [string, string, RegExp][] = [
    ['DB_MIGRATION_STATEMENT_TIMEOUT', '9999999999', /from 0 to 2147483/],
    ['DB_MIGRATION_LOCK_TIMEOUT', '9999999999', /from 0 to 2147483/],
    ['DB_MIGRATION_TABLE', 'pg_catalog.x', /not in pg_\* or information_schema/],
    ['DB_MIGRATION_TABLE', 'information_schema.x', /not in pg_\* or information_schema/],
    ['NSELF_DEBUG', 'maybe', /expected true or false/],
    ['DATABASE_URL', 'postgres://u:p%zz@h/d', /percent escapes .* %25/],
    [
      'DATABASE_URL',
      'postgres://u:p@h/d?sslmode=bogus',
      /sslmode to be one of disable, prefer, require, verify-ca, verify-full, no-verify/,
    ],
  ]
  for (const [variable, value, allowed] of badAtLoad) {
    it(`refuses ${variable}=${value} at load: exit 3, the variable, its file and line, what is allowed`, () => {
      const dir = project({'.env.local': `# settings\n${variable}=${value}\n`})
      const error = configError(() => loadConfig({cwd: dir, env: {}}))
      expect(error.exit).to.equal(3)
      expect(error.message).to.include(`${variable}`)
      expect(error.message).to.include('.env.local:2')
      expect(error.message).to.match(allowed)
      if (variable === 'DATABASE_URL') expect(error.message).not.to.include(value)
    })
  }

  it('refuses a DB_BACKUP_LOCATION that is a file, or under a file, at load', () => {
    const dir = project({'not-a-dir': 'x', '.env.local': 'DB_BACKUP_LOCATION=./not-a-dir\n'})
    const error = configError(() => loadConfig({cwd: dir, env: {}}))
    expect(error.exit).to.equal(3)
    expect(error.message).to.match(
      /^DB_BACKUP_LOCATION="\.\/not-a-dir" in \.env\.local:1 is not valid: expected a directory path \(.*not-a-dir is a file\)/,
    )
    const under = configError(() => loadConfig({cwd: dir, env: {DB_BACKUP_LOCATION: './not-a-dir/backups'}}))
    expect(under.exit).to.equal(3)
    expect(under.message).to.include('which is a file')
  })

  it('refuses a DB_BACKUP_LOCATION nself cannot write, at load', () => {
    // Folder modes do not stop root; /proc/1 is a folder in which not even root can create anything.
    const dir = project({})
    let parent = '/proc/1'
    if (process.getuid?.() !== 0) {
      parent = join(dir, 'locked')
      mkdirSync(parent, {mode: 0o500})
    }
    const error = configError(() => loadConfig({cwd: dir, env: {DB_BACKUP_LOCATION: join(parent, 'nself-backups')}}))
    expect(error.exit).to.equal(3)
    expect(error.message).to.match(
      /^DB_BACKUP_LOCATION=".*nself-backups" in the process environment is not valid: expected a directory nself can write \(.* is not writable\)/,
    )
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
