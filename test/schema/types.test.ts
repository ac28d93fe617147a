import {expect} from 'chai'
import {
  canonicalTypeName,
  didYouMean,
  editDistance,
  extensionOf,
  formatType,
  parseTypeText,
  sameType,
  typeFamily,
} from '../../src/schema/types.js'
import {NameRegistry, constraintName, fitIdentifier, fnv1a} from '../../src/schema/names.js'

describe('PostgreSQL type catalogue', () => {
  it('maps aliases to the canonical names PostgreSQL prints', () => {
    const cases: Record<string, string> = {
      int: 'integer',
      int4: 'integer',
      INTEGER: 'integer',
      int8: 'bigint',
      varchar: 'character varying',
      'character  varying': 'character varying',
      timestamptz: 'timestamp with time zone',
      timestamp: 'timestamp without time zone',
      decimal: 'numeric',
      bool: 'boolean',
      float8: 'double precision',
      serial4: 'serial',
      jsonb: 'jsonb',
      uuid: 'uuid',
      bytea: 'bytea',
      inet: 'inet',
    }
    for (const [alias, canonical] of Object.entries(cases)) expect(canonicalTypeName(alias), alias).to.equal(canonical)
    expect(canonicalTypeName('user_role')).to.equal(undefined)
  })

  it('knows extension types and which extension they need', () => {
    expect(extensionOf('citext')).to.equal('citext')
    expect(extensionOf('geometry')).to.equal('postgis')
    expect(extensionOf('text')).to.equal(undefined)
  })

  it('splits written types into name, arguments and array dimensions', () => {
    expect(parseTypeText('varchar(255)')).to.deep.include({name: 'varchar', args: ['255'], arrayDims: 0})
    expect(parseTypeText('numeric(10, 2)[][]')).to.deep.include({name: 'numeric', args: ['10', '2'], arrayDims: 2})
    expect(parseTypeText('timestamp(3) with time zone')).to.deep.include({
      name: 'timestamp with time zone',
      args: ['3'],
      arrayDims: 0,
    })
    expect(parseTypeText('_int4')).to.deep.include({name: 'int4', args: [], arrayDims: 1})
  })

  it('formats and compares types canonically', () => {
    const t = (name: string, args: string[] = [], arrayDims = 0) => ({name, args, arrayDims})
    expect(formatType(t('varchar', ['255'], 1))).to.equal('character varying(255)[]')
    expect(sameType(t('int4'), t('integer'))).to.equal(true)
    expect(sameType(t('varchar', ['10']), t('varchar', ['20']))).to.equal(false)
    expect(typeFamily('int8')).to.equal(typeFamily('serial'))
  })

  it('suggests near misses and nothing for far ones', () => {
    expect(didYouMean('varchr')).to.equal('varchar')
    expect(didYouMean('timestampz')).to.be.oneOf(['timestamptz', 'timestamp'])
    expect(didYouMean('boolen')).to.equal('boolean')
    expect(didYouMean('frobnicator')).to.equal(undefined)
    expect(editDistance('kitten', 'sitting')).to.equal(3)
  })
})

describe('constraint names', () => {
  it('follows PostgreSQL default naming', () => {
    expect(constraintName('users', [], 'pkey')).to.equal('users_pkey')
    expect(constraintName('users', ['email'], 'key')).to.equal('users_email_key')
    expect(constraintName('posts', ['is_published', 'published_at'], 'idx')).to.equal(
      'posts_is_published_published_at_idx',
    )
    expect(constraintName('posts', ['author_id'], 'fkey')).to.equal('posts_author_id_fkey')
    expect(constraintName('users', ['age'], 'check')).to.equal('users_age_check')
  })

  it('hashes with FNV-1a (known test vectors)', () => {
    expect([fnv1a(''), fnv1a('a'), fnv1a('foobar')]).to.deep.equal(['811c9dc5', 'e40c292c', 'bf9cf968'])
  })

  it('fits long names into 63 bytes, deterministically and distinctly, without splitting characters', () => {
    const a = fitIdentifier('t'.repeat(60) + '_one_idx')
    const b = fitIdentifier('t'.repeat(60) + '_two_idx')
    expect(Buffer.byteLength(a)).to.be.at.most(63)
    expect(a).to.not.equal(b)
    expect(fitIdentifier('t'.repeat(60) + '_one_idx')).to.equal(a)
    const multi = fitIdentifier('é'.repeat(40))
    expect(Buffer.byteLength(multi)).to.be.at.most(63)
    expect(multi).to.not.contain('\uFFFD')
  })

  it('makes repeated names unique as PostgreSQL does (idx, idx1, idx2), case-insensitively', () => {
    const names = new NameRegistry()
    expect(['t_a_idx', 'T_A_IDX', 't_a_idx'].map((n) => names.unique(n))).to.deep.equal([
      't_a_idx',
      'T_A_IDX1',
      't_a_idx2',
    ])
  })
})
