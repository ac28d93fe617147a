import {parseSchema} from '../../src/schema/parse.js'
import {type Diagnostic, validateSchema} from '../../src/validate/index.js'

/** Parses and validates a DBML text in-process. */
export async function check(dbml: string): Promise<Diagnostic[]> {
  return validateSchema(await parseSchema(dbml, 'database/schema.dbml'))
}

/** Diagnostics of one rule, as "line:col severity message" for readable assertions. */
export async function rule(dbml: string, name: string): Promise<Diagnostic[]> {
  return (await check(dbml)).filter((d) => d.rule === name)
}
