/**
 * `nself plugins new`: a TypeScript plugin project that builds, links and tests without this repo.
 * The parts are chosen by options (a seed loader, a beforeMigrate/afterMigrate pair, one command);
 * it always gets tests (node:test) and a README. @nself/sdk comes from the tarball nself ships
 * (dist/sdk/), copied to vendor/ as a devDependency for types and tests; at run time the plugin
 * imports nself's own copy (an optional peer dependency: npm never looks it up).
 */
import {copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {UsageError} from '@nself/sdk/errors'

export interface PluginScaffoldOptions {
  /** npm package name, e.g. nself-plugin-acme or @acme/nself-plugin-csv. */
  name: string
  /** Folder to create (must not exist, or be empty). Default: ./<name without scope>. */
  dir?: string
  seedLoader: boolean
  /** Extension the seed loader reads (without the dot). */
  format: string
  migrateHooks: boolean
  command: boolean
  /** The folder with nself's packed SDK (nself-sdk-<version>.tgz). */
  sdkTarballDir: string
  /** Versions the generated package.json asks for. */
  versions: {sdk: string; oclifCore: string; typescript: string; typesNode: string}
}

export interface PluginScaffoldResult {
  root: string
  name: string
  /** The topic of the plugin's command: `nself <topic> hello`. */
  topic: string
  files: string[]
}

const NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/

export function scaffoldPlugin(options: PluginScaffoldOptions): PluginScaffoldResult {
  if (!NAME.test(options.name) || options.name.length > 214) {
    throw new UsageError(`"${options.name}" is not an npm package name`, {
      hint: 'Use lower-case letters, digits, "-", "." and "_", optionally with a scope: nself-plugin-acme, @acme/nself-plugin-csv.',
    })
  }
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(options.format))
    throw new UsageError(`--format ${options.format}: a file extension without the dot, such as csv`)
  const short = basename(options.name)
  const topic = short.replace(/^nself-plugin-/, '') || short
  const root = resolve(options.dir ?? short)
  if (existsSync(root) && readdirSync(root).length > 0)
    throw new UsageError(`${root} exists and is not empty`, {hint: 'Choose another folder with --dir, or remove it.'})
  const tarball = readdirSync(options.sdkTarballDir).find((f) => /^nself-sdk-.*\.tgz$/.test(f))
  if (!tarball)
    throw new UsageError(`nself's SDK tarball is missing from ${options.sdkTarballDir}`, {
      hint: 'Reinstall nself (or run npm run build in its repository).',
    })
  const files = templates({...options, topic, tarball})
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), {recursive: true})
    writeFileSync(join(root, path), content, {flag: 'wx'})
  }
  mkdirSync(join(root, 'vendor'), {recursive: true})
  copyFileSync(join(options.sdkTarballDir, tarball), join(root, 'vendor', tarball))
  return {root, name: options.name, topic, files: [...Object.keys(files), `vendor/${tarball}`].sort()}
}

type TemplateInput = PluginScaffoldOptions & {topic: string; tarball: string}

function templates(o: TemplateInput): Record<string, string> {
  const files: Record<string, string> = {
    'package.json': packageJson(o),
    'tsconfig.json': json({
      compilerOptions: {
        module: 'Node16',
        moduleResolution: 'Node16',
        target: 'es2022',
        lib: ['es2023'],
        strict: true,
        declaration: false,
        outDir: 'dist',
        rootDir: 'src',
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['src'],
    }),
    'test/tsconfig.json': json({
      extends: '../tsconfig.json',
      compilerOptions: {rootDir: '..', outDir: '../dist-test', noEmit: false},
      include: ['./**/*.ts', '../src/**/*.ts'],
    }),
    '.gitignore': 'node_modules/\ndist/\ndist-test/\noclif.manifest.json\n*.tgz\n!vendor/*.tgz\n',
    'scripts/manifest.mjs': MANIFEST_SCRIPT,
    'README.md': readme(o),
  }
  if (o.seedLoader) {
    files['src/hooks/seed-loader.ts'] = seedLoader(o)
    files['test/seed-loader.test.ts'] = seedLoaderTest(o)
  }
  if (o.migrateHooks) {
    files['src/hooks/before-migrate.ts'] = BEFORE_MIGRATE
    files['src/hooks/after-migrate.ts'] = AFTER_MIGRATE
    files['test/before-migrate.test.ts'] = BEFORE_MIGRATE_TEST
  }
  if (o.command) {
    files[`src/commands/${o.topic}/hello.ts`] = COMMAND
    files['test/hello.test.ts'] = commandTest(o)
  }
  if (!o.seedLoader && !o.migrateHooks && !o.command) files['test/package.test.ts'] = PACKAGE_TEST
  return files
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n'

function packageJson(o: TemplateInput): string {
  const hooks: Record<string, string> = {}
  if (o.seedLoader) hooks.seedLoader = './dist/hooks/seed-loader.js'
  if (o.migrateHooks) {
    hooks.beforeMigrate = './dist/hooks/before-migrate.js'
    hooks.afterMigrate = './dist/hooks/after-migrate.js'
  }
  return json({
    name: o.name,
    version: '0.1.0',
    description: `nself plugin${o.seedLoader ? `: .${o.format} seed files` : ''}`,
    type: 'module',
    license: 'MIT',
    keywords: ['nself-plugin', 'oclif-plugin'],
    files: ['dist', 'oclif.manifest.json'],
    engines: {node: '>=20'},
    scripts: {
      build: 'tsc -p . && node scripts/manifest.mjs',
      test: 'tsc -p test && node --test dist-test/test/',
      prepack: 'npm run build',
    },
    oclif: {
      ...(o.command
        ? {
            commands: './dist/commands',
            topicSeparator: ' ',
            topics: {[o.topic]: {description: `Commands of ${o.name}`}},
          }
        : {}),
      ...(Object.keys(hooks).length ? {hooks} : {}),
    },
    peerDependencies: {'@nself/sdk': `^${o.versions.sdk}`},
    peerDependenciesMeta: {'@nself/sdk': {optional: true}},
    devDependencies: {
      '@nself/sdk': `file:vendor/${o.tarball}`,
      '@oclif/core': o.versions.oclifCore,
      '@types/node': o.versions.typesNode,
      typescript: o.versions.typescript,
    },
  })
}

const MANIFEST_SCRIPT = `// Writes oclif.manifest.json after each build: nself then lists the plugin's commands without
// importing them (start-up time), and a stale manifest never hides a new command.
import {rmSync, writeFileSync} from 'node:fs'
import {Config} from '@oclif/core'

rmSync('oclif.manifest.json', {force: true})
const config = await Config.load({root: process.cwd(), userPlugins: false, devPlugins: false})
const plugin = config.getPluginsList().find((p) => p.isRoot)
writeFileSync('oclif.manifest.json', JSON.stringify(plugin.manifest, null, 2) + '\\n')
`

function seedLoader(o: TemplateInput): string {
  return `/**
 * The seedLoader hook: nself asks once per seed run; this plugin answers for .${o.format} files.
 * This reads one JSON object per line (NDJSON): replace readRows with your format's reader.
 *
 * The contract (docs/plugins.md in nself): \`row\` is the record number (1-based, a header not
 * counted), \`line\` the physical line of the file. Each row carries its line under SOURCE_LINE, so
 * nself names it in PostgreSQL's errors too. A missing key takes the column default; null is NULL;
 * a string is passed as written, so "" is an empty string, never NULL.
 */
import {createReadStream} from 'node:fs'
import {createInterface} from 'node:readline'
import type {SeedLoaderHook, SeedRow} from '@nself/sdk/hooks'

/** The key a row's source line goes under (the SDK exports it as SOURCE_LINE; this needs no import). */
const SOURCE_LINE = Symbol.for('nself.sourceLine')

export class ${className(o.format)}Error extends Error {
  constructor(message: string, readonly row: number, readonly line: number) {
    super(message)
  }
}

/** The rows of one file, read lazily: memory stays flat whatever its size. */
export async function* readRows(path: string): AsyncGenerator<SeedRow> {
  let line = 0
  let row = 0
  for await (const text of createInterface({input: createReadStream(path), crlfDelay: Infinity})) {
    line++
    if (text.trim() === '') continue
    row++
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw new ${className(o.format)}Error(\`not JSON: \${(error as Error).message}\`, row, line)
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ${className(o.format)}Error('expected an object (column → value)', row, line)
    yield Object.assign(value as SeedRow, {[SOURCE_LINE]: line})
  }
}

const hook: SeedLoaderHook = async function () {
  return {formats: ['${o.format}'], load: (file) => ({kind: 'rows', rows: readRows(file.path)})}
}

export default hook
`
}

function seedLoaderTest(o: TemplateInput): string {
  return `import {strict as assert} from 'node:assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import hook, {readRows} from '../src/hooks/seed-loader.js'

const SOURCE_LINE = Symbol.for('nself.sourceLine')

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'seed-')), 'users.${o.format}')
  writeFileSync(path, content)
  return path
}

async function all(path: string): Promise<Record<string | symbol, unknown>[]> {
  const rows: Record<string | symbol, unknown>[] = []
  for await (const row of readRows(path)) rows.push(row)
  return rows
}

test('answers for .${o.format} files', async () => {
  const loader = await (hook as unknown as () => Promise<{formats: string[]}>)()
  assert.deepEqual(loader.formats, ['${o.format}'])
})

test('reads rows with their source line', async () => {
  const rows = await all(file('{"email": "a@example.com"}\\n\\n{"email": "b@example.com", "name": null}\\n'))
  // The line rides along under a symbol key: never taken for a column.
  assert.deepEqual(rows, [
    {email: 'a@example.com', [SOURCE_LINE]: 1},
    {email: 'b@example.com', name: null, [SOURCE_LINE]: 3},
  ])
})

test('bad input names the row and the line', async () => {
  await assert.rejects(all(file('{"email": "a@example.com"}\\n\\n{oops\\n')), {row: 2, line: 3})
})
`
}

const BEFORE_MIGRATE = `/**
 * beforeMigrate: nself calls this before a migration run changes anything (migrate:up, migrate:down,
 * db reset, DB_AUTO_MIGRATE), also when nothing is pending. It fails closed: ANY error thrown here —
 * VetoError, or a bug — refuses the run (exit 6, NSELF_REFUSED, naming this plugin).
 * This guard refuses migrations that drop a table; ALLOW_DROP_TABLE=true lets them through.
 */
import {readFileSync} from 'node:fs'
import type {BeforeMigrateHook} from '@nself/sdk/hooks'
import {VetoError} from '@nself/sdk/errors'

/** DROP TABLE outside comments (a rough check: adapt it to your rules). */
export function dropsTable(sql: string): boolean {
  const code = sql.replace(/--.*$/gm, '').replace(/\\/\\*[\\s\\S]*?\\*\\//g, '')
  return /\\bdrop\\s+table\\b/i.test(code)
}

const hook: BeforeMigrateHook = async function (options) {
  if (options.direction !== 'up' || process.env.ALLOW_DROP_TABLE === 'true') return
  const dropping = options.migrations.filter((m) => dropsTable(readFileSync(m.file, 'utf8')))
  if (dropping.length > 0) {
    throw new VetoError(\`\${dropping.map((m) => \`\${m.version}_\${m.name}\`).join(', ')} drops a table (set ALLOW_DROP_TABLE=true to allow it)\`)
  }
}

export default hook
`

const AFTER_MIGRATE = `/**
 * afterMigrate: called after the run, also a failed one (then \`error\` says why; \`migrations\` is
 * what was attempted, \`applied\` what completed). It cannot undo anything. To fail the command,
 * throw an NselfError with an exit code (nself reports the run first); a plain Error is a warning.
 */
import type {AfterMigrateHook} from '@nself/sdk/hooks'

const hook: AfterMigrateHook = async function (options) {
  if (options.dryRun || options.applied.length === 0) return
  const verb = options.direction === 'up' ? 'applied' : 'rolled back'
  // stderr: under --json, stdout carries one JSON document.
  process.stderr.write(\`\${options.applied.length} migration(s) \${verb} on \${options.database}\${options.error ? \` before an error: \${options.error}\` : ''}\\n\`)
}

export default hook
`

const BEFORE_MIGRATE_TEST = `import {strict as assert} from 'node:assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import hook, {dropsTable} from '../src/hooks/before-migrate.js'

function migration(sql: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'mig-')), '002_cleanup.up.sql')
  writeFileSync(file, sql)
  return {version: '002', name: 'cleanup', file}
}

const run = (sql: string) =>
  (hook as unknown as (o: object) => Promise<void>)({direction: 'up', migrations: [migration(sql)], environment: 'development', database: 'app', dryRun: false, flags: {}, command: 'db:migrate:up'})

test('finds DROP TABLE outside comments only', () => {
  assert.equal(dropsTable('DROP TABLE users;'), true)
  assert.equal(dropsTable('-- DROP TABLE users\\nCREATE TABLE x (id int);'), false)
})

test('vetoes a migration that drops a table, with exit 6', async () => {
  await assert.rejects(run('DROP TABLE users;'), {name: 'VetoError', exit: 6, code: 'NSELF_REFUSED', message: '002_cleanup drops a table (set ALLOW_DROP_TABLE=true to allow it)'})
})

test('lets other migrations through', async () => {
  await run('CREATE TABLE tags (id int);')
})
`

const COMMAND = `import {BaseCommand, Flags, ValidationError} from '@nself/sdk'

/**
 * A command extending nself's BaseCommand: typed flags, --json, --verbose, --debug, nself's error
 * format and exit codes. Flags and Args come from @nself/sdk, so the plugin needs no @oclif/core at
 * run time.
 */
export default class Hello extends BaseCommand<typeof Hello> {
  static summary = 'Say hello (an example command: replace it).'
  static examples = ['<%= config.bin %> <%= command.id %> --name Ada', '<%= config.bin %> <%= command.id %> --name Ada --json']
  static enableJsonFlag = true
  static flags = {
    name: Flags.string({description: 'Who to greet.', default: 'world'}),
  }

  async run(): Promise<{greeting: string}> {
    if (this.flags.name.trim() === '') throw new ValidationError('--name is empty', {hint: 'Pass a name: --name Ada'})
    const greeting = \`Hello, \${this.flags.name}!\`
    this.log(greeting)
    return {greeting}
  }
}
`

function commandTest(o: TemplateInput): string {
  return `import {strict as assert} from 'node:assert'
import {test} from 'node:test'
import Hello from '../src/commands/${o.topic}/hello.js'

const root = new URL('../..', import.meta.url).pathname

test('greets, and returns the greeting for --json', async () => {
  const lines: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as typeof process.stdout.write
  try {
    assert.deepEqual(await Hello.run(['--name', 'Ada'], root), {greeting: 'Hello, Ada!'})
  } finally {
    process.stdout.write = write
  }
  assert.ok(lines.includes('Hello, Ada!\\n'))
})
`
}

const PACKAGE_TEST = `import {strict as assert} from 'node:assert'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

test('is an oclif plugin', () => {
  const pjson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  assert.equal(typeof pjson.oclif, 'object')
})
`

function readme(o: TemplateInput): string {
  const parts = [
    o.seedLoader
      ? `- \`src/hooks/seed-loader.ts\`: reads \`.${o.format}\` seed files (\`database/seeds/<environment>/<table>.${o.format}\`).`
      : '',
    o.migrateHooks
      ? '- `src/hooks/before-migrate.ts`: a guard that refuses migrations dropping a table (`ALLOW_DROP_TABLE=true` lets them through); `src/hooks/after-migrate.ts`: reports what was applied.'
      : '',
    o.command ? `- \`src/commands/${o.topic}/hello.ts\`: \`nself ${o.topic} hello --name Ada\`.` : '',
  ].filter(Boolean)
  return `# ${o.name}

A plugin for [nself](https://www.npmjs.com/package/nself), made by \`nself plugins new\`.

${parts.join('\n')}

## Develop

\`\`\`sh
npm install          # @nself/sdk comes from vendor/ (types and tests); nothing of nself is fetched
npm run build        # dist/ and oclif.manifest.json
npm test             # node:test, offline
nself plugins link . # nself now uses dist/ (rebuild after each change)
\`\`\`

## Release

\`\`\`sh
npm pack                                    # ${basename(o.name)}-0.1.0.tgz
nself plugins install file:$PWD/${o.name.replace('@', '').replace('/', '-')}-0.1.0.tgz
npm publish                                 # then: nself plugins install ${o.name}
nself plugins uninstall ${o.name}
\`\`\`

\`@nself/sdk\` is an optional peer dependency: at run time the plugin uses the copy of the nself
that loads it, whichever way it was installed. Keep run-time imports of \`@oclif/core\` out of
hooks: \`Flags\` and \`Args\` come from \`@nself/sdk\`.
`
}

function className(format: string): string {
  return format.replace(/(^|[-_])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()).replace(/^[0-9]/, 'F$&')
}
