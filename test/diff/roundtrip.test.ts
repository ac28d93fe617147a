/**
 * @db round trips against a real PostgreSQL 15: for each pair A → B, the generated up turns A into
 * exactly what B built from scratch is, and the down turns it back into A (compared through
 * pg_catalog, not SQL text). Rows inserted into A survive renames and widenings.
 */
import {expect} from 'chai'
import {roundTrip} from '../helpers/roundtrip.js'
import {pairs} from '../helpers/roundtrip-pairs.js'

describe('diffSchemas round trips on PostgreSQL @db', function () {
  this.timeout(120_000)
  it('has at least 30 pairs', () => expect(pairs.length).to.be.at.least(30))
  for (const pair of pairs) it(pair.name, () => roundTrip(pair))
})
