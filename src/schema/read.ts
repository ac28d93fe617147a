/** Reading database/schema.dbml (or another schema file) with the one error every command gives. */
import {readFile} from 'node:fs/promises'
import {ConfigError} from '@nself/sdk/errors'

/** The file's text; `shown` is how the message names it; `flag` is the option that picks another file. */
export async function readSchemaSource(path: string, shown: string, flag = '--file'): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message
    throw new ConfigError(`cannot read the schema ${shown}: ${reason}`, {
      hint: `create database/schema.dbml (nself init does) or pass ${flag} PATH`,
    })
  }
}
