// Pure model → SQL text functions (no database, no I/O).
export * from './quote.js'
export * from './ddl.js'
