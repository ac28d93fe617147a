import {commentOn, type CommentTarget} from '../sql/ddl.js'
import {type Change, Phase} from './change.js'

type ChangeInput = Pick<Change, 'kind' | 'object' | 'summary' | 'phase' | 'up' | 'reverse'> & Partial<Change>

/** A change with the safe defaults: transactional both ways, not destructive, not breaking. */
export function makeChange(input: ChangeInput): Change {
  return {destructive: false, transactional: true, reverseTransactional: true, ...input}
}

/** COMMENT ON for a changed note of a table, column, index or enum; the reverse restores the old one. */
export function noteChange(
  target: CommentTarget,
  label: string,
  object: string,
  oldNote: string | undefined,
  newNote: string | undefined,
): Change {
  return makeChange({
    kind: 'comment',
    object,
    summary: `change note of ${label}`,
    phase: Phase.comment,
    up: [commentOn(target, newNote)],
    reverse: [commentOn(target, oldNote)],
  })
}
