// Writes oclif.manifest.json for the core and for each plugin under plugins/, after `tsc -b`.
// The manifest keeps startup fast (oclif need not import every command file), and it is rebuilt
// on every build so it can never hide a new command.
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const oclif = join(root, 'node_modules', 'oclif', 'bin', 'run.js')
const dirs = [root]
const pluginsDir = join(root, 'plugins')
if (existsSync(pluginsDir)) {
  for (const name of readdirSync(pluginsDir)) {
    if (existsSync(join(pluginsDir, name, 'package.json'))) dirs.push(join(pluginsDir, name))
  }
}
for (const dir of dirs) {
  execFileSync(process.execPath, [oclif, 'manifest'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
  })
}
