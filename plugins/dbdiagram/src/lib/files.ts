/**
 * Reading and writing the files the plugin touches. Writes are atomic (a temporary file beside the
 * target, then rename), so an interrupted write never leaves half a schema; and a target that is a
 * symbolic link is refused, since the plugin did not make it and must not write where it points.
 */
import {randomBytes} from 'node:crypto'
import {lstat, open, readFile, rename, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {ConfigError, RefusedError} from '@nself/sdk/errors'

/** The file's text, or undefined when it does not exist. */
export async function readText(path: string, shown: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError(`cannot read ${shown}: ${(error as Error).message}`)
  }
}

export async function writeAtomic(path: string, text: string, shown: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined)
  if (existing?.isSymbolicLink()) {
    throw new RefusedError(`${shown} is a symbolic link: refusing to write through it`, {
      hint: 'Replace the link with a regular file, or write elsewhere with --to-file.',
    })
  }
  if (existing && !existing.isFile())
    throw new RefusedError(`${shown} exists and is not a regular file: refusing to replace it`)
  // 'wx' (O_CREAT|O_EXCL) fails rather than follow anything already at the temporary path.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', existing ? existing.mode & 0o777 : 0o644)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    if (error instanceof RefusedError) throw error
    throw new ConfigError(`cannot write ${shown}: ${(error as Error).message}`, {cause: error})
  }
}
