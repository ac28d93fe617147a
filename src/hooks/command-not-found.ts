/**
 * oclif's command_not_found hook: an unknown command is a usage error (exit 2) with "did you mean"
 * (the closest command ids by edit distance), printed as one JSON error object under --json like
 * every other error, instead of oclif's plain "command … not found".
 */
import type {Hook} from '@oclif/core'
import {ExitCode} from '@nself/sdk/errors'
import {editDistance} from '../schema/types.js'

const hook: Hook<'command_not_found'> = async function (options) {
  const shown = (id: string) => id.replace(/:/g, ' ')
  const wanted = options.id
  const suggestions = closest(wanted, options.config.commandIDs)
  const bin = options.config.bin
  const message = `command "${shown(wanted)}" not found${suggestions.length ? `. Did you mean ${suggestions.map((s) => `"${shown(s)}"`).join(' or ')}?` : ''}`
  const topic = wanted.includes(':') ? `${bin} ${shown(wanted.split(':')[0])} --help` : `${bin} --help`
  const hint = `${topic} lists the commands.`
  process.exitCode = ExitCode.usage
  if ((options.argv ?? []).includes('--json')) {
    process.stdout.write(JSON.stringify({error: {code: 'NSELF_USAGE', message, exit: ExitCode.usage, hint}}) + '\n')
  } else {
    process.stderr.write(`Error: ${message}\nHint: ${hint}\n`)
  }
}

/** Up to three ids closest to the one typed: one edit per three characters, and at least two. */
function closest(id: string, ids: string[]): string[] {
  const cap = Math.max(2, Math.floor(id.length / 3))
  return ids
    .map((candidate) => ({
      candidate,
      distance: Math.min(editDistance(id, candidate, cap), editDistance(id, candidate.replace(/:/g, ' '), cap)),
    }))
    .filter((c) => c.distance <= cap)
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1))
    .slice(0, 3)
    .map((c) => c.candidate)
}

export default hook
