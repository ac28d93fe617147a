// Mocha root hooks. The database harness (test/helpers/db.ts) starts its server lazily on first use.
export const mochaHooks = {}
