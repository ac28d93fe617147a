// npm start: the whole flow on the embedded database, in a fresh project in a temporary folder.
// Nothing needs to be installed or configured: nself starts its own PostgreSQL server.
import {spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const bin = join(root, 'bin', 'run.js')
const project = join(mkdtempSync(join(tmpdir(), 'nself-demo-')), 'demo-app')
chmodSync(join(project, '..'), 0o755)
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
const env = {...process.env}
for (const key of Object.keys(env)) if (/^(POSTGRES_|DATABASE_URL$|DB_|ENVIRONMENT$)/.test(key)) delete env[key]

function nself(args, {cwd = project, allowFailure = false, input} = {}) {
  console.log(`\n$ nself ${args.join(' ')}`)
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'],
    input,
  })
  if (result.status !== 0 && !allowFailure) {
    console.error(`\nThe demo stopped: "nself ${args.join(' ')}" exited with ${result.status}.`)
    process.exit(result.status ?? 1)
  }
  return result.status
}

const has = (id) => Boolean(manifest.commands[id])

console.log(`nself demo in ${project}`)
nself(['init', project], {cwd: root})
nself(['db', 'ping'])
nself(['db', 'info'])
if (has('db:validate')) nself(['db', 'validate', '--verbose'])
if (has('db:run')) nself(['db', 'run', '--message', 'initial'])
if (has('db:lint')) nself(['db', 'lint'])
if (has('db:diagram')) nself(['db', 'diagram'])
if (has('db:migrate:up')) nself(['db', 'migrate', 'up'])
if (has('db:seed')) {
  const seeds = join(project, 'database', 'seeds', 'development')
  copyFileSync(join(root, 'test', 'fixtures', 'users.json'), join(seeds, 'users.json'))
  writeFileSync(join(seeds, 'posts.sql'), readFileSync(join(root, 'test', 'fixtures', 'posts.sql'), 'utf8'))
  nself(['db', 'seed'])
}
if (has('db:status')) nself(['db', 'status'])
if (has('db:backup')) {
  nself(['db', 'backup', '--name', 'demo-backup'])
  nself(['db', 'backup:list'])
  nself(['db', 'restore', '--name', 'demo-backup', '--force'])
}
if (has('db:history')) nself(['db', 'history'])
nself(['db', 'stop'])
console.log(
  `\nDone. The demo project is in ${project}: cd there and try more nself commands (the embedded server starts again on demand).`,
)
