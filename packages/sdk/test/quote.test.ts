import {expect} from 'chai'
import {commentText, quoteIdent, quoteIdentList, quoteLiteral, quoteQualified} from '../src/sql/index.js'

describe('sql quoting', () => {
  it('double-quotes identifiers and doubles embedded quotes', () => {
    expect(quoteIdent('users')).to.equal('"users"')
    expect(quoteIdent('Order Items')).to.equal('"Order Items"')
    expect(quoteIdent('a"b')).to.equal('"a""b"')
    expect(quoteQualified('auth', 'users')).to.equal('"auth"."users"')
    expect(quoteIdentList(['a', 'B'])).to.equal('"a", "B"')
  })
  it("escapes single quotes in literals (O'Reilly)", () => {
    expect(quoteLiteral("O'Reilly")).to.equal("'O''Reilly'")
    expect(quoteLiteral("''")).to.equal("''''''")
  })
  it('uses the E form when a backslash is present, so its meaning does not depend on settings', () => {
    expect(quoteLiteral('C:\\temp')).to.equal("E'C:\\\\temp'")
    expect(quoteLiteral("it's \\n")).to.equal("E'it''s \\\\n'")
  })
  it('escapes line breaks (E form) so a literal never spans lines; keeps unicode', () => {
    expect(quoteLiteral('a;\nb ✓')).to.equal("E'a;\\nb ✓'")
    expect(quoteLiteral('✓')).to.equal("'✓'")
  })
  it('commentText escapes every control character, so the text stays on its comment line', () => {
    expect(commentText('y\nDROP TABLE victim;\r--\t\u0000\u001b[2J\u0085\u2028\u202e ok é')).to.equal(
      'y\\nDROP TABLE victim;\\r--\\t\\u0000\\u001b[2J\\u0085\\u2028\\u202e ok é',
    )
    expect(commentText('plain')).to.equal('plain')
  })
})
