// Library entry: the parts of nself that other programs (and tests) may use without the CLI.
export * from './schema/model.js'
export * from './migrate/index.js'
