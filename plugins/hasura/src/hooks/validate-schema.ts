/**
 * `db validate` reports bad `// hasura:` annotations with the schema's other problems, at file:line:col.
 */
import type {ValidateSchemaHook} from '@nself/sdk/hooks'
import {parseAnnotations} from '../lib/annotations.js'

const hook: ValidateSchemaHook = async function ({file, source, model}) {
  return parseAnnotations(source, model, file).diagnostics
}

export default hook
