// The plugin's library: no oclif, no nself core; commands and hooks are thin shells over it.
export * from './annotations.js'
export * from './client.js'
export * from './directory.js'
export * from './generate.js'
export * from './metadata.js'
export * from './sync.js'
export * from './new-source.js'
export * from './errors.js'
