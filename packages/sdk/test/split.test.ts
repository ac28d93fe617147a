import {expect} from 'chai'
import {splitSql, SqlSyntaxError} from '../src/sql/index.js'

describe('splitSql: the one SQL lexer', () => {
  it('keeps semicolons inside quotes, dollar quotes and comments, and records each line', () => {
    const sql = [
      '-- a comment; with a semicolon',
      "CREATE TABLE t (a text DEFAULT 'x;y');",
      '/* block; /* nested; */ still comment */',
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;',
      "INSERT INTO t VALUES (E'it\\'s; ok'), ('a''b;');",
      'SELECT "we;ird" FROM t',
    ].join('\n')
    const statements = splitSql(sql)
    expect(statements.map((s) => s.line)).to.deep.equal([2, 4, 5, 6])
    expect(statements[0].sql).to.equal("CREATE TABLE t (a text DEFAULT 'x;y')")
    expect(statements[1].sql).to.include('SELECT 1; $body$')
    expect(statements[2].sql).to.equal("INSERT INTO t VALUES (E'it\\'s; ok'), ('a''b;')")
    expect(statements[3].sql).to.equal('SELECT "we;ird" FROM t')
  })

  it("splits at top-level semicolons with each statement's first line", () => {
    const sql =
      '-- header comment; not a statement\nINSERT INTO a VALUES (1);\n\n/* block; /* nested; */ still comment; */\nINSERT INTO a\n  VALUES (2);   INSERT INTO a VALUES (3)\n'
    expect(splitSql(sql).map(({sql, line}) => ({sql, line}))).to.deep.equal([
      {sql: 'INSERT INTO a VALUES (1)', line: 2},
      {sql: 'INSERT INTO a\n  VALUES (2)', line: 5},
      {sql: 'INSERT INTO a VALUES (3)', line: 6},
    ])
  })

  it('keeps semicolons inside strings, identifiers, E-strings and dollar-quoted bodies with tags', () => {
    const body = `CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE NOTICE 'a; b $$ c';
  RETURN 1; -- done;
END $fn$`
    const sql = `INSERT INTO t VALUES ('it''s; here', "semi;colon", E'back\\'slash; x');\n${body};\nSELECT $$;$$, $1;\n`
    const statements = splitSql(sql)
    expect(statements.map((s) => s.line)).to.deep.equal([1, 2, 7])
    expect(statements[0].sql).to.equal(`INSERT INTO t VALUES ('it''s; here', "semi;colon", E'back\\'slash; x')`)
    expect(statements[1].sql).to.equal(body)
    expect(statements[2].sql).to.equal('SELECT $$;$$, $1')
  })

  it('reads backslashes as escapes only in E strings, and doubled quotes in every quoted form', () => {
    // In a standard string a backslash is an ordinary character: the string ends at the next quote.
    const statements = splitSql("SELECT 'C:\\dir\\'; SELECT e'a\\\\'; SELECT E'\\\\\\';'; SELECT \"a\"\";b\";")
    expect(statements.map((s) => s.sql)).to.deep.equal([
      "SELECT 'C:\\dir\\'",
      "SELECT e'a\\\\'",
      "SELECT E'\\\\\\';'",
      'SELECT "a"";b"',
    ])
  })

  it('does not read a $ inside an identifier as a dollar quote', () => {
    expect(splitSql('SELECT a$b$ FROM t; SELECT 2;').map((s) => s.sql)).to.deep.equal([
      'SELECT a$b$ FROM t',
      'SELECT 2',
    ])
  })

  it('keeps a BEGIN ATOMIC function body whole', () => {
    const sql =
      'CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT 2; END;\nSELECT 3;'
    expect(splitSql(sql).map((s) => s.sql.slice(0, 15))).to.deep.equal(['CREATE FUNCTION', 'SELECT 3'])
  })

  it('keeps a multi-line BEGIN ATOMIC … END; body as one statement (the old seed-sql splitter cut it)', () => {
    const fn =
      'CREATE FUNCTION add_one(x int) RETURNS int\nLANGUAGE sql\nBEGIN ATOMIC\n  INSERT INTO calls VALUES (x);\n  SELECT x + 1;\nEND'
    const statements = splitSql(`INSERT INTO calls VALUES (0);\n${fn};\nSELECT add_one(1);\n`)
    expect(statements.map((s) => s.sql)).to.deep.equal(['INSERT INTO calls VALUES (0)', fn, 'SELECT add_one(1)'])
    expect(statements.map((s) => s.line)).to.deep.equal([1, 2, 8])
  })

  it('leaves a trailing comment out of the statement, so a joined `;` never lands inside it', () => {
    const statements = splitSql('SELECT 1 -- one\n;\nSELECT 2 /* two */\n-- end')
    expect(statements.map((s) => s.sql)).to.deep.equal(['SELECT 1', 'SELECT 2'])
    expect(statements.map((s) => s.line)).to.deep.equal([1, 3])
  })

  it('reads -- nself: markers written before a statement', () => {
    const [a, b] = splitSql('SELECT 1;\n-- nself:no-transaction\nSELECT 2;')
    expect(a.markers).to.deep.equal([])
    expect(b.markers).to.deep.equal(['no-transaction'])
  })

  it('ignores empty statements and comment-only files', () => {
    expect(splitSql(';;\n-- nothing\n/* at all */\n')).to.deep.equal([])
  })

  it('skips a byte order mark, and counts lines from the first one after it', () => {
    expect(splitSql('\uFEFFSELECT 1;\nSELECT 2;')).to.deep.equal([
      {sql: 'SELECT 1', line: 1, markers: []},
      {sql: 'SELECT 2', line: 2, markers: []},
    ])
  })

  it('refuses psql meta-commands at a line start, with their line', () => {
    for (const [sql, line, command] of [
      ['SELECT 1;\n\\i other.sql\n', 2, '\\i'],
      ['SELECT 1;\n\n  \\set ON_ERROR_STOP on\nSELECT 2;', 3, '\\set'],
      ['\\connect app', 1, '\\connect'],
    ] as const) {
      const error = (() => {
        try {
          splitSql(sql)
        } catch (e) {
          return e
        }
      })()
      expect(error, sql).to.be.instanceOf(SqlSyntaxError)
      expect((error as SqlSyntaxError).line, sql).to.equal(line)
      expect((error as Error).message, sql).to.match(new RegExp(`^\\${command} is a psql meta-command, not SQL`))
    }
  })

  it('accepts backslashes that are not at a line start or are inside quotes and comments', () => {
    const sql =
      "SELECT E'\n\\\\i not a command';\n-- \\i in a comment\n/*\n\\set in a block comment */ SELECT $$\n\\i in a body$$;"
    expect(splitSql(sql).map((s) => s.line)).to.deep.equal([1, 5])
  })
  it('ends a -- comment at a carriage return, as PostgreSQL does', () => {
    expect(splitSql('-- note\rDROP TABLE victim;\nSELECT 1').map((s) => s.sql)).to.deep.equal([
      'DROP TABLE victim',
      'SELECT 1',
    ])
  })
})
