/**
 * Asking before a file or the diagram is replaced. Without a terminal nothing can be asked, so the
 * operation is refused unless --force was given (exit 6, naming the flag).
 */
import {RefusedError} from '@nself/sdk/errors'

export interface ConfirmOptions {
  action: string
  force: boolean
  /** For tests: whether there is a terminal to ask on. */
  interactive?: boolean
}

export type Confirm = (action: string) => Promise<void>

export function makeConfirm(options: Omit<ConfirmOptions, 'action'>): Confirm {
  return (action) => confirm({...options, action})
}

export async function confirm(options: ConfirmOptions): Promise<void> {
  if (options.force) return
  const interactive = options.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY)
  if (!interactive)
    throw new RefusedError(`refusing to ${options.action} without a terminal to confirm`, {
      hint: 'Pass --force to confirm.',
    })
  const {default: Enquirer} = await import('enquirer')
  const {answer} = await Enquirer.prompt<{answer: boolean}>({
    type: 'confirm',
    name: 'answer',
    message: `About to ${options.action}. Continue?`,
    initial: false,
  })
  if (!answer) throw new RefusedError('cancelled: nothing was changed')
}
