/**
 * Writing the diagram without following links: the text goes to a new temporary file in the target
 * folder (created exclusively, so never through an existing name), which is then renamed over the
 * target. A rename replaces a symlink at the target instead of writing through it.
 */
import {randomBytes} from 'node:crypto'
import {lstat, mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {UsageError} from '@nself/sdk'

export async function writeFileSafely(path: string, text: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined)
  if (existing?.isDirectory())
    throw new UsageError(`--out ${path} is a folder`, {hint: 'give a file name, e.g. database/diagram.html'})
  await mkdir(dirname(path), {recursive: true})
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, text, {flag: 'wx', mode: 0o644})
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}
