import {expect} from 'chai'
import {splitSql} from '../src/split.js'

describe('seed-sql: statement splitter', () => {
  it('splits at top-level semicolons with each statement\'s first line', () => {
    const sql = "-- header comment; not a statement\nINSERT INTO a VALUES (1);\n\n/* block; /* nested; */ still comment; */\nINSERT INTO a\n  VALUES (2);   INSERT INTO a VALUES (3)\n"
    expect(splitSql(sql)).to.deep.equal([
      {sql: 'INSERT INTO a VALUES (1);', line: 2},
      {sql: 'INSERT INTO a\n  VALUES (2);', line: 5},
      {sql: 'INSERT INTO a VALUES (3)', line: 6},
    ])
  })

  it('keeps semicolons inside strings, identifiers, E-strings and dollar-quoted bodies', () => {
    const body = `CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE NOTICE 'a; b';
  RETURN 1; -- done;
END $fn$;`
    const sql = `INSERT INTO t VALUES ('it''s; here', "semi;colon", E'back\\'slash; x');\n${body}\nSELECT $$;$$, $1;\n`
    const statements = splitSql(sql)
    expect(statements.map((s) => s.line)).to.deep.equal([1, 2, 7])
    expect(statements[0].sql).to.equal(`INSERT INTO t VALUES ('it''s; here', "semi;colon", E'back\\'slash; x');`)
    expect(statements[1].sql).to.equal(body)
    expect(statements[2].sql).to.equal('SELECT $$;$$, $1;')
  })

  it('ignores empty statements and comment-only files', () => {
    expect(splitSql(';;\n-- nothing\n/* at all */\n')).to.deep.equal([])
  })
})
