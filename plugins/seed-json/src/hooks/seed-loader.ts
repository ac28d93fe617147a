/**
 * The `seedLoader` hook of @nself/plugin-seed-json: `.json` seed files are JSON arrays of objects,
 * streamed row by row. Types only from nself: nothing of the core (or oclif) is loaded at run time.
 */
import type {SeedLoaderHook} from '@nself/sdk/hooks'
import {readJsonArray} from '../json-array.js'

const hook: SeedLoaderHook = async function () {
  return {
    formats: ['json'],
    load: (file) => ({kind: 'rows', rows: readJsonArray(file.path)}),
  }
}

export default hook
