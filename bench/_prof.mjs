import pg from 'pg'
import {migrateUp} from '../dist/migrate/index.js'
const B = 'postgres://postgres:78WLNexPZn1nK1h6QkdOWbrm@127.0.0.1:35699'
async function q(sql){const c=new pg.Client({connectionString:B+'/postgres'});await c.connect();await c.query(sql);await c.end()}
for (const mode of ['on','off','on','off']) {
  await q('DROP DATABASE IF EXISTS b2'); await q('CREATE DATABASE b2')
  const c = new pg.Client({connectionString: B+'/b2'}); await c.connect()
  await c.query(`SET synchronous_commit = ${mode}`)
  const t0 = performance.now(); let first
  const r = await migrateUp(c, {migrationsDir: '/tmp/nb/proj/database/migrations', table: 'schema_migrations', lockTimeoutSeconds: 5, statementTimeoutSeconds: 0, beforeRun: async () => { first = performance.now() }})
  const t1 = performance.now()
  console.log(mode, 'setup', (first - t0).toFixed(0), 'apply', (t1 - first).toFixed(0), 'n', r.applied.length)
  await c.end()
}
