// Pure model → SQL text functions (no database, no I/O).
export * from './ddl.js'
