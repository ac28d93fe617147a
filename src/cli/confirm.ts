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

/** Both ends of a terminal: someone there to read a question and type the answer. */
export function hasTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY)
}

/**
 * Any question asked without a terminal would draw the prompt and hang or exit silently on the
 * closed input: refuse instead (exit 6), naming the flag that answers it.
 */
export function requireTerminal(question: string, flag: string): void {
  if (hasTerminal()) return
  throw new RefusedError(`cannot ask "${question}" without a terminal`, {
    code: 'NSELF_NO_TERMINAL',
    hint: `Pass ${flag} instead.`,
  })
}

export async function confirmDestructive(options: ConfirmOptions): Promise<void> {
  if (options.force && options.forceIsEnough !== false) return
  const tty = options.stdinIsTTY ?? hasTerminal()
  if (!tty) {
    throw new RefusedError(`refusing to ${options.action} without a terminal to confirm`, {
      hint:
        options.forceIsEnough === false
          ? 'Run it in a terminal and type the confirmation.'
          : 'Pass --force to confirm.',
    })
  }
  const {default: Enquirer} = await import('enquirer')
  if (options.typed) {
    const {answer} = await Enquirer.prompt<{answer: string}>({
      type: 'input',
      name: 'answer',
      message: `About to ${options.action}. Type "${options.typed}" to confirm`,
    })
    if (answer.trim() !== options.typed)
      throw new RefusedError(`confirmation did not match "${options.typed}": nothing was changed`)
    return
  }
  if (!(await askYesNo(`About to ${options.action}. Continue?`)))
    throw new RefusedError('cancelled: nothing was changed')
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
