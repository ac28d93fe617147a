// Mocha root hooks. The database server (test/helpers/db.ts) starts lazily on first use and
// stops after the run; tests that never touch a database pay nothing for it.
import {stopTestServer} from './helpers/db.js'

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000)
    await stopTestServer()
  },
}
