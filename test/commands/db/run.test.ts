import {expect} from 'chai'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from '../../helpers/cli.js'
import {hasScript, runInTerminal} from '../../helpers/tty.js'

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname

function project(schema: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nself-run-'))
  mkdirSync(join(dir, 'database'))
  copyFileSync(fixture(schema), join(dir, 'database', 'schema.dbml'))
  return dir
}

const migrations = (dir: string) => readdirSync(join(dir, 'database', 'migrations')).sort()
const editSchema = (dir: string, fn: (s: string) => string) => {
  const file = join(dir, 'database', 'schema.dbml')
  writeFileSync(file, fn(readFileSync(file, 'utf8')))
}

describe('nself db run / db diff', function () {
  this.timeout(60_000)

  it('writes 001_initial with a snapshot, then says there is no change and writes nothing', async () => {
    const dir = project('initial.dbml')
    const first = await runCli(['db', 'run'], {cwd: dir})
    expect(first.code, first.stderr).to.equal(0)
    expect(migrations(dir)).to.deep.equal(['001_initial.down.sql', '001_initial.up.sql', 'meta'])
    expect(existsSync(join(dir, 'database', 'migrations', 'meta', '001.json'))).to.equal(true)
    const second = await runCli(['db', 'run'], {cwd: dir})
    expect(second.code).to.equal(0)
    expect(second.stdout).to.match(/No changes/)
    expect(migrations(dir)).to.have.length(3)
  })

  it("while another db run holds the migrations folder, refuses with a clear message and writes nothing; takes over a dead one's lock", async () => {
    const dir = project('initial.dbml')
    const folder = join(dir, 'database', 'migrations')
    mkdirSync(folder)
    writeFileSync(join(folder, '.nself.lock'), `${process.pid}\n`) // a live process holds it
    const locked = await runCli(['db', 'run'], {cwd: dir})
    expect(locked.code).to.equal(1)
    expect(locked.stderr).to.include(
      `Error: another nself db run is writing in ${folder} (pid ${process.pid}): nothing was written`,
    )
    expect(locked.stderr).to.not.include('EEXIST')
    expect(migrations(dir)).to.deep.equal(['.nself.lock'])
    writeFileSync(join(folder, '.nself.lock'), '2147483646\n') // no such process
    const taken = await runCli(['db', 'run'], {cwd: dir})
    expect(taken.code, taken.stderr).to.equal(0)
    expect(migrations(dir)).to.deep.equal(['001_initial.down.sql', '001_initial.up.sql', 'meta'])
  })

  it('two db run at once: one writes 001, the other refuses or finds nothing to do; never a half-written migration', async () => {
    const dir = project('initial.dbml')
    const [a, b] = await Promise.all([runCli(['db', 'run'], {cwd: dir}), runCli(['db', 'run'], {cwd: dir})])
    for (const r of [a, b]) {
      expect(r.stderr).to.not.match(/EEXIST|ENOENT/)
      if (r.code !== 0) expect(r.stderr).to.match(/another nself db run is writing in .*: nothing was written/)
    }
    expect([a.code, b.code]).to.include(0)
    expect(migrations(dir)).to.deep.equal(['001_initial.down.sql', '001_initial.up.sql', 'meta'])
    expect(readdirSync(join(dir, 'database', 'migrations', 'meta'))).to.deep.equal(['001.json'])
  })

  it('--dry-run prints both files and writes nothing; --json describes the changes', async () => {
    const dir = project('blog.dbml')
    const dry = await runCli(['db', 'run', '--dry-run', '-m', 'Blog schema'], {cwd: dir})
    expect(dry.code, dry.stderr).to.equal(0)
    expect(dry.stdout)
      .to.include('001_blog_schema.up.sql')
      .and.include('001_blog_schema.down.sql')
      .and.include('CREATE TYPE "public"."user_role"')
    expect(existsSync(join(dir, 'database', 'migrations'))).to.equal(false)
    const json = await runCli(['db', 'run', '--dry-run', '--json'], {cwd: dir})
    const result = JSON.parse(json.stdout)
    expect(result.name).to.equal('001_initial')
    expect(result.changes.map((c: {kind: string}) => c.kind)).to.include('create_enum')
  })

  it('without a terminal, refuses a possible rename (exit 6) naming the candidates and the flags', async () => {
    const dir = project('blog.dbml')
    await runCli(['db', 'run'], {cwd: dir})
    editSchema(dir, (s) => s.replace('  bio text', '  about text'))
    const refused = await runCli(['db', 'run'], {cwd: dir})
    expect(refused.code).to.equal(6)
    expect(refused.stderr)
      .to.include('column public.users.bio disappears and about appears')
      .and.include('--rename users.bio=about')
      .and.include('--allow-drop')
    expect(migrations(dir)).to.have.length(3)
    const wrong = await runCli(['db', 'run', '--rename', 'users.bio=about_me'], {cwd: dir})
    expect(wrong.code).to.equal(5)
    expect(wrong.stderr).to.include('has no column about_me')
    const unknown = await runCli(['db', 'run', '--rename', 'people.bio=about'], {cwd: dir})
    expect(unknown.code).to.equal(2)
    const renamed = await runCli(['db', 'run', '--rename', 'users.bio=about'], {cwd: dir})
    expect(renamed.code, renamed.stderr).to.equal(0)
    const up = readFileSync(
      join(
        dir,
        'database',
        'migrations',
        migrations(dir).find((f) => f.startsWith('002') && f.endsWith('.up.sql'))!,
      ),
      'utf8',
    )
    expect(up).to.include('RENAME COLUMN "bio" TO "about"').and.not.include('DROP COLUMN')
  })

  it('an enum type renamed and a table moved to another schema: candidates without a terminal, RENAME TO and SET SCHEMA with --rename', async () => {
    const dir = project('blog.dbml')
    await runCli(['db', 'run'], {cwd: dir})
    editSchema(dir, (s) =>
      s
        .replace('role user_role', 'role account_role')
        .replace('Enum user_role', 'Enum account_role')
        .replace('Table comments {', 'Table archive.comments {')
        .replace('ref: > comments.id', 'ref: > archive.comments.id')
        .replace(/^ {2}comments$/m, '  archive.comments'),
    )
    const refused = await runCli(['db', 'run'], {cwd: dir})
    expect(refused.code, refused.stderr).to.equal(6)
    expect(refused.stderr)
      .to.include('--rename user_role=account_role')
      .and.include('--rename public.comments=archive.comments')
    const done = await runCli(
      ['db', 'run', '--rename', 'user_role=account_role', '--rename', 'comments=archive.comments'],
      {cwd: dir},
    )
    expect(done.code, done.stderr).to.equal(0)
    const up = readFileSync(
      join(
        dir,
        'database',
        'migrations',
        migrations(dir).find((f) => f.startsWith('002') && f.endsWith('.up.sql'))!,
      ),
      'utf8',
    )
    expect(up)
      .to.include('ALTER TYPE "public"."user_role" RENAME TO "account_role"')
      .and.include('ALTER TABLE "public"."comments" SET SCHEMA "archive"')
    expect(up).to.not.match(/CREATE TYPE|DROP TABLE|CREATE TABLE/)
  })

  it('in a terminal, asks about a possible rename and keeps the data on yes', async function () {
    if (!hasScript) this.skip() // reason: no util-linux `script` to provide a terminal
    const dir = project('blog.dbml')
    await runCli(['db', 'run'], {cwd: dir})
    editSchema(dir, (s) => s.replace('  bio text', '  about text'))
    // A pseudo-terminal; the answer is typed once the prompt shows.
    const result = await runInTerminal(['db', 'run'], {
      cwd: dir,
      env: {},
      answers: [['Is it a rename (keeps the data)?', 'y']],
    })
    expect(result.code, result.output).to.equal(0)
    expect(result.output).to.include('Is it a rename (keeps the data)?')
    const up = migrations(dir).find((f) => f.startsWith('002') && f.endsWith('.up.sql'))
    expect(up, result.output).to.equal('002_rename_column_users_bio_to_about.up.sql')
  })

  it('a plain drop needs --allow-drop, and the output flags data the down cannot restore', async () => {
    const dir = project('blog.dbml')
    await runCli(['db', 'run'], {cwd: dir})
    editSchema(dir, (s) => s.replace('  excerpt text\n', ''))
    const refused = await runCli(['db', 'run', '--json'], {cwd: dir})
    expect(refused.code).to.equal(6)
    expect(JSON.parse(refused.stdout).error.code).to.equal('NSELF_DROP_NOT_ALLOWED')
    const allowed = await runCli(['db', 'run', '--allow-drop'], {cwd: dir})
    expect(allowed.code, allowed.stderr).to.equal(0)
    expect(allowed.stderr).to.include('the down cannot bring back: values of public.posts.excerpt')
    const down = readFileSync(
      join(
        dir,
        'database',
        'migrations',
        migrations(dir).find((f) => f.startsWith('002') && f.endsWith('.down.sql'))!,
      ),
      'utf8',
    )
    expect(down).to.include('-- data not restored: values of public.posts.excerpt')
  })

  it('warns about a hand-written migration without a snapshot and diffs from the newest snapshot', async () => {
    const dir = project('initial.dbml')
    await runCli(['db', 'run'], {cwd: dir})
    writeFileSync(
      join(dir, 'database', 'migrations', '002_extensions.up.sql'),
      'CREATE EXTENSION IF NOT EXISTS citext;\n',
    )
    writeFileSync(join(dir, 'database', 'migrations', '002_extensions.down.sql'), 'DROP EXTENSION citext;\n')
    editSchema(dir, (s) => s.replace('  content text\n', '  content text\n  summary text\n'))
    const result = await runCli(['db', 'run'], {cwd: dir})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.include('002_extensions has no snapshot').and.include('the diff starts from snapshot 001')
    expect(migrations(dir)).to.include('003_add_column_posts_summary.up.sql')
  })

  it('refuses an invalid schema instead of planning from an empty model (exit 5)', async () => {
    const dir = project('initial.dbml')
    await runCli(['db', 'run'], {cwd: dir})
    editSchema(dir, (s) => s.replace('Table posts {', 'Table posts {{'))
    const result = await runCli(['db', 'run', '--allow-drop'], {cwd: dir})
    expect(result.code).to.equal(5)
    expect(migrations(dir)).to.have.length(3)
  })

  it('db diff shows the pending SQL; db validate --check-breaking lists breaking changes and exits 5', async () => {
    const dir = project('blog.dbml')
    await runCli(['db', 'run'], {cwd: dir})
    editSchema(dir, (s) => s.replace('avatar_url varchar(500)', 'avatar_url varchar(100)'))
    const diff = await runCli(['db', 'diff'], {cwd: dir})
    expect(diff.code, diff.stderr).to.equal(0)
    expect(diff.stdout).to.include('ALTER TABLE "public"."users" ALTER COLUMN "avatar_url" TYPE varchar(100)')
    const check = await runCli(['db', 'validate', '--check-breaking'], {cwd: dir})
    expect(check.code).to.equal(5)
    expect(check.stdout).to.include(
      'avatar_url: type character varying(500) → character varying(100) is not a widening',
    )
  })
})
