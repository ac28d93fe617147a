/**
 * The `seedLoader` hook of @nself/plugin-seed-json: `.json` seed files are JSON arrays of objects,
 * streamed row by row. Types only from nself: nothing of the core (or oclif) is loaded at run time.
 */
import type {SeedLoaderHook} from '@nself/sdk/hooks'
import {readJsonBatches} from '../json-array.js'

const hook: SeedLoaderHook = async function () {
  return {
    formats: ['json'],
    // Batches: a 1,000,000-row file costs ~3,000 iteration steps instead of a million.
    load: (file) => ({kind: 'rows', rows: readJsonBatches(file.path)}),
  }
}

export default hook
