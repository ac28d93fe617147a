import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {freshDatabase, type TestDatabase} from '../helpers/db.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {BLOG_SQL, counts, makeProject, snapshot, writeSeeds} from './helpers.js'

const usersJson = readFileSync(join(ROOT, 'test/fixtures/users.json'), 'utf8')
const postsSql = readFileSync(join(ROOT, 'test/fixtures/posts.sql'), 'utf8')
const BLOG = ['users', 'posts', 'comments']

describe('nself db seed @db', () => {
  let db: TestDatabase
  beforeEach(async () => {
    db = await freshDatabase()
    await db.query(BLOG_SQL)
  })
  afterEach(async () => db.drop())

  const seed = (project: string, ...args: string[]) => runCli(['db', 'seed', ...args], {cwd: project, env: db.env})

  it("loads the spec's users.json and posts.sql with one seed, and skips them the second time", async () => {
    const project = makeProject({'development/users.json': usersJson, 'development/posts.sql': postsSql})
    const first = await seed(project)
    expect(first.code, first.stderr).to.equal(0)
    expect(first.stdout).to.match(/loaded\s+users\.json → public\.users: 2 rows/)
    expect(first.stdout).to.match(/loaded\s+posts\.sql → public\.posts: 2 rows/)
    // "loaded" while the transaction is open; one line once it committed.
    expect(first.stdout).to.match(/\nCommitted 4 rows from 2 file\(s\) to development in one transaction \(\d+ ms\)\n$/)
    expect(first.stdout.indexOf('users.json')).to.be.below(first.stdout.indexOf('posts.sql')) // parents first
    const {rows} = await db.query(
      'SELECT p.title, u.email FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.title',
    )
    expect(rows).to.deep.equal([
      {title: 'Getting Started', email: 'admin@example.com'},
      {title: 'Welcome Post', email: 'admin@example.com'},
    ])
    const second = await seed(project, '--json')
    expect(second.code, second.stderr).to.equal(0)
    const json = JSON.parse(second.stdout)
    expect(json.files.map((f: {file: string; status: string}) => [f.file, f.status])).to.deep.equal([
      ['users.json', 'skipped'],
      ['posts.sql', 'skipped'],
    ])
    expect(await counts(db, ['users', 'posts'])).to.deep.equal({users: 2, posts: 2})
    const status = await db.query(
      'SELECT file, environment, rows::int, length(checksum) AS len FROM nself_seeds ORDER BY file',
    )
    expect(status.rows).to.deep.equal([
      {file: 'posts.sql', environment: 'development', rows: 2, len: 64},
      {file: 'users.json', environment: 'development', rows: 2, len: 64},
    ])
  })

  it('--env staging loads only the staging files', async () => {
    const project = makeProject({
      'development/users.json': usersJson,
      'staging/users.json': JSON.stringify([{email: 'stage@example.com', password_hash: 'x'}]),
    })
    const result = await seed(project, '--env', 'staging')
    expect(result.code, result.stderr).to.equal(0)
    expect((await db.query('SELECT email FROM users')).rows).to.deep.equal([{email: 'stage@example.com'}])
    expect((await db.query('SELECT environment FROM nself_seeds')).rows).to.deep.equal([{environment: 'staging'}])
  })

  it('rejects an environment name that is not a plain folder name', async () => {
    const result = await seed(makeProject({}), '--env', '../../etc')
    expect(result.code).to.equal(2)
    expect(result.stderr).to.include('environment "../../etc" is not valid')
  })

  it('takes the environment from ENVIRONMENT when --env is not given', async () => {
    const project = makeProject({
      'development/users.json': usersJson,
      'staging/users.json': JSON.stringify([{email: 's@x', password_hash: 'x'}]),
    })
    const result = await runCli(['db', 'seed'], {cwd: project, env: {...db.env, ENVIRONMENT: 'staging'}})
    expect(result.code, result.stderr).to.equal(0)
    expect((await db.query('SELECT email FROM users')).rows).to.deep.equal([{email: 's@x'}])
  })

  it('--tables users loads only users', async () => {
    const project = makeProject({'development/users.json': usersJson, 'development/posts.sql': postsSql})
    const result = await seed(project, '--tables', 'users')
    expect(result.code, result.stderr).to.equal(0)
    expect(await counts(db, ['users', 'posts'])).to.deep.equal({users: 2, posts: 0})
    const unknown = await seed(project, '--tables', 'nosuch')
    expect(unknown.code).to.equal(5)
    expect(unknown.stderr).to.include('no seed file for nosuch in database/seeds/development')
  })

  it('--fresh twice gives the same row counts; emptying a referenced table needs --cascade', async () => {
    const project = makeProject({'development/users.json': usersJson, 'development/posts.sql': postsSql})
    for (let i = 0; i < 2; i++) {
      const result = await seed(project, '--fresh')
      expect(result.code, result.stderr).to.equal(0)
      expect(await counts(db, ['users', 'posts'])).to.deep.equal({users: 2, posts: 2})
    }
    const refused = await seed(project, '--fresh', '--tables', 'users')
    expect(refused.code).to.equal(5)
    expect(refused.stderr).to.include('cannot empty public.users: public.posts reference them and have rows')
    expect(refused.stderr).to.include('--cascade')
    expect(await counts(db, ['users', 'posts'])).to.deep.equal({users: 2, posts: 2})
    const cascaded = await seed(project, '--fresh', '--cascade', '--tables', 'users')
    expect(cascaded.code, cascaded.stderr).to.equal(0)
    expect(await counts(db, ['users', 'posts'])).to.deep.equal({users: 2, posts: 0})
    // posts.sql's rows went with the cascade: the next run applies it again instead of skipping it.
    const after = await seed(project)
    expect(after.stdout).to.match(/loaded\s+posts\.sql/)
    expect(await counts(db, ['users', 'posts'])).to.deep.equal({users: 2, posts: 2})
  })

  it('refuses --fresh in production without a terminal unless --force', async () => {
    const project = makeProject({'production/users.json': usersJson})
    const refused = await seed(project, '--env', 'production', '--fresh')
    expect(refused.code).to.equal(6)
    expect(refused.stderr).to.match(/refusing to empty public\.users/)
    expect(await counts(db, ['users'])).to.deep.equal({users: 0})
    const forced = await seed(project, '--env', 'production', '--fresh', '--force')
    expect(forced.code, forced.stderr).to.equal(0)
    expect(await counts(db, ['users'])).to.deep.equal({users: 2})
  })

  it('re-applies a changed file only with --reapply', async () => {
    const project = makeProject({'development/users.json': JSON.stringify([{email: 'a@x', password_hash: 'x'}])})
    expect((await seed(project)).code).to.equal(0)
    writeSeeds(project, {'development/users.json': JSON.stringify([{email: 'b@x', password_hash: 'x'}])})
    const changed = await seed(project)
    expect(changed.code, changed.stderr).to.equal(0)
    expect(changed.stdout).to.match(
      /changed\s+users\.json: changed since it was applied: not applied again \(use --reapply/,
    )
    expect((await db.query('SELECT email FROM users ORDER BY 1')).rows.map((r) => r.email)).to.deep.equal(['a@x'])
    const reapplied = await seed(project, '--reapply')
    expect(reapplied.code, reapplied.stderr).to.equal(0)
    expect((await db.query('SELECT email FROM users ORDER BY 1')).rows.map((r) => r.email)).to.deep.equal([
      'a@x',
      'b@x',
    ])
    expect((await seed(project)).stdout).to.match(/skipped\s+users\.json: unchanged/)
  })

  it('orders files parents first by the live foreign keys, whatever their names', async () => {
    const ids = {user: '11111111-1111-1111-1111-111111111111', post: '22222222-2222-2222-2222-222222222222'}
    const project = makeProject({
      'development/comments.json': JSON.stringify([{content: 'c', author_id: ids.user, post_id: ids.post}]),
      'development/posts.json': JSON.stringify([{id: ids.post, title: 't', author_id: ids.user}]),
      'development/users.json': JSON.stringify([{id: ids.user, email: 'u@x', password_hash: 'x'}]),
    })
    // Without prefixes the names sort comments, posts, users: the reverse of what the keys need.
    const result = await runCli(['db', 'seed', '--json'], {cwd: project, env: db.env})
    expect(result.code, result.stderr).to.equal(0)
    expect(JSON.parse(result.stdout).files.map((f: {table: string}) => f.table)).to.deep.equal([
      'public.users',
      'public.posts',
      'public.comments',
    ])
  })

  describe('a run whose third file has a bad row leaves every table as it was', () => {
    const good = {
      'development/01_users.json': usersJson,
      'development/02_posts.sql': postsSql,
    }
    const cases: {name: string; comments: string; expect: RegExp}[] = [
      {
        name: 'wrong type',
        comments: JSON.stringify([{content: 'ok'}, {content: 'bad', post_id: 'not-a-uuid'}]),
        expect: /03_comments\.json row 2, column post_id: invalid input syntax for type uuid: "not-a-uuid"/,
      },
      {
        name: 'foreign key to nothing',
        comments: JSON.stringify([
          {content: 'ok'},
          {content: 'ok'},
          {content: 'orphan', author_id: '99999999-9999-9999-9999-999999999999'},
        ]),
        expect:
          /03_comments\.json row 3, column author_id: insert or update on table "comments" violates foreign key constraint .*Key \(author_id\)=\(99999999-9999-9999-9999-999999999999\) is not present in table "users"/,
      },
      {
        name: 'NOT NULL column missing',
        comments: JSON.stringify([{content: 'ok'}, {author_id: null}]),
        expect:
          /03_comments\.json row 2, column content: null value in column "content" of relation "comments" violates not-null constraint/,
      },
    ]
    const malformed = '[\n  {"content": "ok"},\n  {"content": "two" "three"}\n]\n'
    cases.push({
      name: 'malformed JSON',
      comments: malformed,
      expect: new RegExp(
        `03_comments\\.json row 2: malformed JSON at byte ${malformed.indexOf('"three"')} \\(line 3, column 21\\)`,
      ),
    })

    for (const c of cases) {
      it(`${c.name}: exits non-zero, names file and row, changes nothing`, async () => {
        await db.query("INSERT INTO users (email, password_hash) VALUES ('existing@example.com', 'x')")
        const project = makeProject({...good, 'development/03_comments.json': c.comments})
        const before = await snapshot(db, [...BLOG, 'nself_seeds'])
        const result = await seed(project)
        expect(result.code).to.equal(5)
        expect(result.stderr, result.stderr).to.match(c.expect)
        expect(result.stderr).to.include('database/seeds/development/03_comments.json')
        expect(result.stderr).not.to.match(/\n\s+at /)
        expect(await snapshot(db, [...BLOG, 'nself_seeds'])).to.deep.equal(before)
        expect(before.nself_seeds).to.equal(null)
      })
    }

    it('with --fresh, the emptied tables are back too', async () => {
      const project = makeProject(good)
      expect((await seed(project)).code).to.equal(0)
      writeSeeds(project, {'development/03_comments.json': cases[1].comments})
      const before = await snapshot(db, [...BLOG, 'nself_seeds'])
      const result = await seed(project, '--fresh')
      expect(result.code).to.equal(5)
      expect(result.stderr).to.match(cases[1].expect)
      expect(await snapshot(db, [...BLOG, 'nself_seeds'])).to.deep.equal(before)
      expect(before.users).to.match(/^2:/)
    })
  })

  it('runs SQL files with comments and dollar-quoted bodies that contain semicolons', async () => {
    const sql = `/* users; then a DO block */
INSERT INTO users (email, password_hash) VALUES ('a@x', 'x;y'); -- trailing; comment
DO $body$
BEGIN
  INSERT INTO users (email, password_hash) VALUES ('b@x', 'x');
  INSERT INTO posts (title, author_id) SELECT 'by a; b', id FROM users WHERE email = 'a@x';
END
$body$;
`
    const result = await seed(makeProject({'development/users.sql': sql}), '--json')
    expect(result.code, result.stderr).to.equal(0)
    expect(await counts(db, ['users', 'posts'])).to.deep.equal({users: 2, posts: 1})
    expect((await db.query("SELECT password_hash FROM users WHERE email = 'a@x'")).rows[0].password_hash).to.equal(
      'x;y',
    )
  })

  it('names the line of a failing SQL statement', async () => {
    const sql =
      "-- two statements; the second fails\nINSERT INTO users (email, password_hash)\n  VALUES ('a@x', 'x');\n\nINSERT INTO posts (title, author_id)\n  VALUES ('t', '99999999-9999-9999-9999-999999999999');\n"
    const project = makeProject({'development/users.sql': sql})
    const result = await seed(project)
    expect(result.code).to.equal(5)
    expect(result.stderr).to.match(
      /database\/seeds\/development\/users\.sql line 5: insert or update on table "posts" violates foreign key constraint/,
    )
    expect(await counts(db, ['users'])).to.deep.equal({users: 0})
  })

  it('names a format no plugin reads, and suggests installing one', async () => {
    const project = makeProject({'development/users.yaml': '- email: a@x\n'})
    const result = await seed(project)
    expect(result.code).to.equal(5)
    expect(result.stderr).to.include(
      'no plugin reads the "yaml" seed format (file database/seeds/development/users.yaml)',
    )
    expect(result.stderr).to.include('nself plugins install')
  })
})
