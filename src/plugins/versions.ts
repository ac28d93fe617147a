/** The versions a scaffolded plugin asks for: those this nself is built with. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

type Pjson = {version: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>}

export function scaffoldVersions(cliRoot: string): {
  sdk: string
  oclifCore: string
  typescript: string
  typesNode: string
} {
  const cli = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')) as Pjson
  const all = {...cli.devDependencies, ...cli.dependencies}
  return {
    sdk: (all['@nself/sdk'] ?? `^${cli.version}`).replace(/^\^/, ''),
    oclifCore: all['@oclif/core'] ?? '^4.8.0',
    typescript: all.typescript ?? '^5.9.0',
    typesNode: all['@types/node'] ?? '^20.19.0',
  }
}
