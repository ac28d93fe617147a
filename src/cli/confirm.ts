/**
 * Confirmation before destructive operations. Without a terminal nothing can be asked, so the
 * operation is refused unless --force was given (and, where forceIsEnough is false, not even then:
 * production reset needs a person to type the database name).
 */
import {RefusedError} from '@nself/sdk/errors'

export interface ConfirmOptions {
  /** What will happen, e.g. "roll back 2 migrations on myapp (production)". */
  action: string
  /** When set, the user must type this exact text (the database name) instead of answering y/N. */
  typed?: string
  force: boolean
  /** False where --force alone must not skip the typed confirmation. */
  forceIsEnough?: boolean
  /** For tests: answers instead of a terminal. */
  stdinIsTTY?: boolean
}

export async function confirmDestructive(options: ConfirmOptions): Promise<void> {
  if (options.force && options.forceIsEnough !== false) return
  const tty = options.stdinIsTTY ?? Boolean(process.stdin.isTTY && process.stdout.isTTY)
  if (!tty) {
    throw new RefusedError(`refusing to ${options.action} without a terminal to confirm`, {
      hint: options.forceIsEnough === false ? 'Run it in a terminal and type the confirmation.' : 'Pass --force to confirm.',
    })
  }
  const {default: Enquirer} = await import('enquirer')
  if (options.typed) {
    const {answer} = await Enquirer.prompt<{answer: string}>({
      type: 'input',
      name: 'answer',
      message: `About to ${options.action}. Type "${options.typed}" to confirm`,
    })
    if (answer.trim() !== options.typed) throw new RefusedError(`confirmation did not match "${options.typed}": nothing was changed`)
    return
  }
  if (!(await askYesNo(`About to ${options.action}. Continue?`))) throw new RefusedError('cancelled: nothing was changed')
}

/**
 * A y/N question in the terminal (default no), for decisions where no is a valid answer rather than
 * a refusal. The caller checks that a terminal is there; enquirer is imported only then.
 */
export async function askYesNo(message: string): Promise<boolean> {
  const {default: Enquirer} = await import('enquirer')
  const {answer} = await Enquirer.prompt<{answer: boolean}>({type: 'confirm', name: 'answer', message, initial: false})
  return answer
}
