// Backup and restore of the seeding benchmark's database (events, 1,000,000 rows) with nself, on
// both of its paths, beside pg_dump -Fc / pg_restore / pg_restore -j 2 of the same database in the
// same run. Targets (issue 7): backup ≤ 1.1× pg_dump -Fc on the pg_dump path, ≤ 1.5× on the
// built-in path; restore no slower than pg_restore -j 2.
// Uses NSELF_TEST_DATABASE_URL (an admin URL) when set, else starts the embedded server.
// BENCH_ROWS (default 1000000) and BENCH_RUNS (default 3) change the size and the repeats.
// Restore replaces every table, so it asks first; without a terminal it needs --force (given below).
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import {benchServer, NSELF, report, roundRobin, setting} from './lib.mjs'

const ROWS = setting('BENCH_ROWS', 1_000_000, 2_000)
const RUNS = setting('BENCH_RUNS', 3, 1)
const SOURCE = 'nself_bench_backup'
const TARGET = 'nself_bench_restore'

console.log(`\n## backup and restore: events with ${ROWS.toLocaleString('en')} rows (median of ${RUNS})`)
const server = await benchServer()
try {
  await main(new URL(server.url))
} finally {
  await server.stop()
}

async function main(admin) {
  await recreate(admin, SOURCE)
  await load(urlOf(admin, SOURCE))
  const work = mkdtempSync(join(tmpdir(), 'nself-bench-backup-'))
  const tools = pgTools()
  const pgEnv = (db) => ({
    ...process.env,
    PGHOST: admin.hostname,
    PGPORT: admin.port || '5432',
    PGUSER: decodeURIComponent(admin.username),
    PGPASSWORD: decodeURIComponent(admin.password),
    PGDATABASE: db,
  })
  const nselfEnv = (db, dir, extra = {}) => {
    const env = {
      ...process.env,
      NSELF_PROJECT_DIR: dir,
      DATABASE_URL: urlOf(admin, db),
      DB_BACKUP_RETENTION_DAYS: '0',
      ...extra,
    }
    for (const key of Object.keys(env)) if (/^(POSTGRES_|DB_BACKUP_COMPRESSION|ENVIRONMENT$)/.test(key)) delete env[key]
    return env
  }
  const source = join(work, 'source')
  mkdirSync(source)
  const backups = join(source, 'database', 'backups')
  const clearBackups = () => rmSync(backups, {recursive: true, force: true})
  let n = 0
  const nselfBackup = (name, extra, flags = []) => ({
    name,
    command: process.execPath,
    args: [NSELF, 'db', 'backup', ...flags],
    options: {env: nselfEnv(SOURCE, source, extra)},
    setup: () => {
      clearBackups()
      n++
    },
  })
  const contenders = [
    ...(tools
      ? [
          {
            name: 'pg_dump -Fc',
            command: tools.pgDump,
            args: ['-Fc', '-f', join(work, 'anchor.dump')],
            options: {env: pgEnv(SOURCE)},
          },
        ]
      : []),
    ...(tools
      ? [
          nselfBackup('nself backup (pg_dump path)', {}),
          nselfBackup('nself backup --compress (pg_dump path)', {}, ['--compress']),
        ]
      : []),
    nselfBackup('nself backup (built-in)', {NSELF_NO_PG_DUMP: '1'}),
    nselfBackup('nself backup --compress (built-in)', {NSELF_NO_PG_DUMP: '1'}, ['--compress']),
  ]
  const backup = roundRobin(contenders, {runs: RUNS, warmup: 0})
  console.log('\nbackup')
  const anchor = backup['pg_dump -Fc']?.median
  for (const [name, r] of Object.entries(backup)) report(name, r.median, 's', 'pg_dump -Fc', anchor)
  if (tools) console.log(`  pg_dump -Fc file: ${mb(statSync(join(work, 'anchor.dump')).size)}`)

  // One backup of each kind to restore, sizes printed.
  const files = {}
  const kinds = [
    ['pg_dump', {}, []],
    ['builtin', {NSELF_NO_PG_DUMP: '1'}, []],
    ['builtin-compressed', {NSELF_NO_PG_DUMP: '1'}, ['--compress']],
  ]
  for (const [kind, extra, flags] of kinds) {
    if (kind === 'pg_dump' && !tools) continue
    clearBackups()
    const r = spawnSync(process.execPath, [NSELF, 'db', 'backup', '--name', kind, ...flags], {
      env: nselfEnv(SOURCE, source, extra),
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(r.stderr)
    files[kind] = join(work, `${kind}.nself-backup`)
    copyFileSync(join(backups, `${kind}.nself-backup`), files[kind])
    console.log(`  nself ${kind} backup file: ${mb(statSync(files[kind]).size)}`)
  }

  const target = join(work, 'target')
  const fresh = () => recreateSync(admin, TARGET)
  const nselfRestore = (kind) => ({
    name: `nself restore (${{pg_dump: 'pg_dump path', builtin: 'built-in', 'builtin-compressed': 'built-in, compressed'}[kind]})`,
    command: process.execPath,
    args: [NSELF, 'db', 'restore', '--name', kind, '--force'],
    options: {env: nselfEnv(TARGET, target)},
    setup: () => {
      fresh()
      mkdirSync(join(target, 'database', 'backups'), {recursive: true})
      const into = join(target, 'database', 'backups', `${kind}.nself-backup`)
      if (!existsSync(into)) copyFileSync(files[kind], into)
    },
  })
  const restoreContenders = [
    ...(tools
      ? [
          {
            name: 'pg_restore',
            command: tools.pgRestore,
            args: ['--exit-on-error', '-d', TARGET, join(work, 'anchor.dump')],
            options: {env: pgEnv(TARGET)},
            setup: fresh,
          },
        ]
      : []),
    ...(tools
      ? [
          {
            name: 'pg_restore -j 2',
            command: tools.pgRestore,
            args: ['--exit-on-error', '-j', '2', '-d', TARGET, join(work, 'anchor.dump')],
            options: {env: pgEnv(TARGET)},
            setup: fresh,
          },
        ]
      : []),
    ...(tools ? [nselfRestore('pg_dump')] : []),
    nselfRestore('builtin'),
    nselfRestore('builtin-compressed'),
  ]
  const restore = roundRobin(restoreContenders, {runs: RUNS, warmup: 0})
  console.log('\nrestore (into an empty database)')
  const anchorJ2 = restore['pg_restore -j 2']?.median
  for (const [name, r] of Object.entries(restore)) report(name, r.median, 's', 'pg_restore -j 2', anchorJ2)
  // The last restore ran into TARGET: every row must be back, or the figures time a broken restore.
  const restored = await countRows(urlOf(admin, TARGET))
  if (restored !== ROWS) throw new Error(`restore left ${restored} rows in events, expected ${ROWS}`)
  rmSync(work, {recursive: true, force: true})
  await adminQuery(admin, `DROP DATABASE IF EXISTS ${SOURCE} WITH (FORCE)`)
  await adminQuery(admin, `DROP DATABASE IF EXISTS ${TARGET} WITH (FORCE)`)
}

function urlOf(admin, db) {
  const url = new URL(admin)
  url.pathname = `/${db}`
  return url.toString()
}

async function adminQuery(admin, sql) {
  const client = new pg.Client({connectionString: admin.toString()})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

async function countRows(url) {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  try {
    return (await client.query('SELECT count(*)::int AS n FROM events')).rows[0].n
  } finally {
    await client.end()
  }
}

async function recreate(admin, db) {
  await adminQuery(admin, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
  await adminQuery(admin, `CREATE DATABASE ${db}`)
}

/** Synchronous, for roundRobin's setup hooks: a child process does it. */
function recreateSync(admin, db) {
  const script = `import pg from 'pg'; const c = new pg.Client({connectionString: process.argv[1]}); await c.connect();
    await c.query('DROP DATABASE IF EXISTS ${db} WITH (FORCE)'); await c.query('CREATE DATABASE ${db}'); await c.end()`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, admin.toString()], {
    cwd: new URL('..', import.meta.url).pathname,
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(r.stderr)
}

/** The seeding benchmark's table, about 170 bytes of COPY text per row. */
async function load(url) {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  const started = Date.now()
  await client.query(
    `CREATE TABLE events (id bigint PRIMARY KEY, user_id uuid, kind text, payload jsonb, created_at timestamptz)`,
  )
  await client.query(`INSERT INTO events
    SELECT g, md5(g::text)::uuid, (ARRAY['click', 'view', 'signup', 'purchase', 'logout'])[1 + g % 5],
           jsonb_build_object('page', '/products/' || (g % 5000), 'ref', 'campaign-' || (g % 37), 'value', g % 1000 * 1.5, 'tags', jsonb_build_array('t' || (g % 11), 't' || (g % 13))),
           timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second'
      FROM generate_series(1, ${ROWS}) g`)
  await client.query('VACUUM ANALYZE events')
  await client.query('CHECKPOINT')
  const {rows} = await client.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`)
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(1)} s; database size ${rows[0].size}`)
  await client.end()
}

function pgTools() {
  const find = (name) => spawnSync('which', [name], {encoding: 'utf8'}).stdout.trim()
  const [pgDump, pgRestore] = [find('pg_dump'), find('pg_restore')]
  if (!pgDump || !pgRestore) {
    console.log('pg_dump/pg_restore are not on this machine: only the built-in path is measured')
    return undefined
  }
  return {pgDump, pgRestore}
}

function mb(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`
}
