/** Line diffs between DBML texts, in the unified format people know from git. */
import {createTwoFilesPatch} from 'diff'
import {normalize} from './state.js'

export function unifiedDiff(fromLabel: string, toLabel: string, from: string, to: string): string {
  const patch = createTwoFilesPatch(fromLabel, toLabel, normalize(from), normalize(to), undefined, undefined, {
    context: 3,
  })
  // Drop the "Index:"/"====" preamble: the ---/+++ lines already name both sides.
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('====') && !line.startsWith('Index:'))
    .join('\n')
    .trimEnd()
}
