import type {Change} from './change.js'

type ChangeInput = Pick<Change, 'kind' | 'object' | 'summary' | 'phase' | 'up' | 'reverse'> & Partial<Change>

/** A change with the safe defaults: transactional both ways, not destructive, not breaking. */
export function makeChange(input: ChangeInput): Change {
  return {destructive: false, transactional: true, reverseTransactional: true, ...input}
}
