// Packs @nself/sdk into dist/sdk/nself-sdk-<version>.tgz after each build. nself ships it, and
// `nself plugins new` copies it into a new plugin (vendor/), so plugin authors get the SDK's types
// and can run their tests without this repository and without a registry.
import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const out = join(root, 'dist', 'sdk')
mkdirSync(out, {recursive: true})
for (const old of readdirSync(out)) if (old.endsWith('.tgz')) rmSync(join(out, old))
execFileSync('npm', ['pack', '--silent', '--pack-destination', out, join(root, 'packages', 'sdk')], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
