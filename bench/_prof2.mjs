import pg from 'pg'
import {readFileSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {migrateUp} from '../dist/migrate/index.js'
const B = 'postgres://postgres:78WLNexPZn1nK1h6QkdOWbrm@127.0.0.1:35699'
const stmts = readFileSync('/tmp/nb/all.sql','utf8').trim().split('\n')
async function q(sql){const c=new pg.Client({connectionString:B+'/postgres'});await c.connect();await c.query(sql);await c.end()}
for (let r=0;r<3;r++) for (const mode of ['runner','loop','psql']) {
  await q('DROP DATABASE IF EXISTS b2'); await q('CREATE DATABASE b2')
  const t0 = performance.now()
  if (mode==='psql') execFileSync('psql',['-q','-X','-v','ON_ERROR_STOP=1',B+'/b2','-f','/tmp/nb/all.sql'])
  else {
  const c = new pg.Client({connectionString: B+'/b2'}); await c.connect()
  if (mode==='runner') await migrateUp(c, {migrationsDir: '/tmp/nb/proj/database/migrations', table: 'schema_migrations', lockTimeoutSeconds: 5, statementTimeoutSeconds: 0})
  else for (const s of stmts) await c.query(s)
  await c.end() }
  console.log(mode, (performance.now() - t0).toFixed(0))
}
