/**
 * argv handling that runs before oclif. Kept free of heavy imports: bin/run.js loads it first.
 */
import {readFileSync} from 'node:fs'

interface CommandLookup {
  findCommand(id: string): unknown
}

/**
 * With topicSeparator " ", stock @oclif/core 4 resolves `db migrate:up --dry-run` to the right
 * command but drops the token after the id (it slices argv by the number of `:`-parts, not of
 * words). When the leading words contain a `:` and join into a known command id, replace them
 * with the colon id, which oclif handles correctly.
 */
export function normalizeArgv(config: CommandLookup, argv: string[]): string[] {
  const words: string[] = []
  for (const arg of argv) {
    if (arg.startsWith('-')) break
    words.push(arg)
  }
  // Longest prefix of words that names a command wins; only a prefix of 2+ words with a `:` in it
  // is the mixed spelling (`db:migrate:up` alone and `db migrate up` already work).
  for (let n = words.length; n > 1; n--) {
    const prefix = words.slice(0, n)
    if (!prefix.some((w) => w.includes(':'))) break
    const id = prefix.join(':')
    if (config.findCommand(id)) return [id, ...argv.slice(n)]
  }
  return argv
}

/**
 * `nself --version` / `-v`: print the same line oclif would, without loading oclif (saves ~90 ms).
 * Returns false when argv is anything else.
 */
export function fastVersion(argv: string[], binUrl: string): boolean {
  if (argv.length !== 1 || !['--version', 'version', '-v'].includes(argv[0])) return false
  const pkg = JSON.parse(readFileSync(new URL('../package.json', binUrl), 'utf8')) as {name: string; version: string}
  process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
  return true
}
