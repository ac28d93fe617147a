/**
 * The lint flags each rule on a crafted migration (citing squawk's ids), leaves tables created in
 * the same file alone, and the --safe forms of a plan lint clean for the rules they address.
 */
import {expect} from 'chai'
import {diffSchemas} from '../../src/diff/index.js'
import {upSteps} from '../../src/diff/steps.js'
import {lintChanges, safeChanges} from '../../src/lint/index.js'
import {lintStatements} from '../../src/lint/rules.js'
import {col, model, table} from '../helpers/model.js'

const crafted = [
  `ALTER TABLE users ADD COLUMN nick text NOT NULL`,
  `ALTER TABLE users ALTER COLUMN email SET NOT NULL`,
  `ALTER TABLE users ALTER COLUMN age TYPE bigint`,
  `CREATE INDEX users_email_idx ON users (email)`,
  `DROP INDEX users_old_idx`,
  `ALTER TABLE posts ADD CONSTRAINT posts_author_fkey FOREIGN KEY (author_id) REFERENCES users (id)`,
  `ALTER TABLE posts ADD CONSTRAINT posts_title_check CHECK (title <> '')`,
  `ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)`,
  `ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id)`,
  `ALTER TABLE users DROP COLUMN legacy`,
  `DROP TABLE audit`,
  `ALTER TABLE users RENAME COLUMN name TO full_name`,
  `ALTER TABLE people RENAME TO persons`,
  `ALTER TYPE "public"."user_role" RENAME TO "user_role__old"`,
]

describe('unsafe-change lint', () => {
  it('flags each rule on a crafted migration, with squawk ids', () => {
    const findings = lintStatements(crafted.map((sql, i) => ({sql, where: `x.sql:${i + 1}`})))
    expect(findings.map((f) => f.rule)).to.deep.equal([
      'adding-required-field',
      'adding-not-nullable-field',
      'changing-column-type',
      'require-concurrent-index-creation',
      'require-concurrent-index-deletion',
      'adding-foreign-key-constraint',
      'constraint-missing-not-valid',
      'disallowed-unique-constraint',
      'adding-serial-primary-key-field',
      'ban-drop-column',
      'ban-drop-table',
      'renaming-column',
      'renaming-table',
      'removing-enum-value',
    ])
    expect(findings.at(-1)!.source).to.equal('nself')
    expect(findings[0]).to.include({where: 'x.sql:1', source: 'squawk'})
  })

  it('does not flag statements on a table created in the same migration, nor the safe forms', () => {
    const findings = lintStatements(
      [
        `CREATE TABLE "public"."t" (id int)`,
        `CREATE INDEX t_id ON "public"."t" (id)`,
        `ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (id) REFERENCES u (id)`,
        `CREATE INDEX CONCURRENTLY u_x ON u (x)`,
        `ALTER TABLE u ADD CONSTRAINT u_fk FOREIGN KEY (x) REFERENCES t (id) NOT VALID`,
        `ALTER TABLE u ADD CONSTRAINT u_x_not_null CHECK ("x" IS NOT NULL) NOT VALID`,
        `ALTER TABLE u VALIDATE CONSTRAINT u_x_not_null`,
        `ALTER TABLE u ALTER COLUMN "x" SET NOT NULL`,
        `ALTER TABLE u ADD CONSTRAINT u_x_key UNIQUE USING INDEX u_x_key`,
        `ALTER TABLE u ADD COLUMN y text NOT NULL DEFAULT 'z'`,
      ].map((sql) => ({sql, where: 'y.sql'})),
    )
    expect(findings).to.deep.equal([])
  })

  it('--safe rewrites foreign keys, checks, uniques and SET NOT NULL on existing tables into forms the lint accepts', () => {
    const a = model([
      table('users', [col('id', 'integer', {pk: true}), col('email', 'text')]),
      table('posts', [col('id', 'integer', {pk: true}), col('author_id', 'integer'), col('title', 'text')]),
    ])
    const b = model([
      table('users', [col('id', 'integer', {pk: true}), col('email', 'text', {notNull: true, unique: true})]),
      table(
        'posts',
        [col('id', 'integer', {pk: true}), col('author_id', 'integer', {ref: {table: 'users'}}), col('title', 'text')],
        {checks: [{name: 'posts_title_check', expression: `title <> ''`}], indexes: [{columns: ['author_id']}]},
      ),
    ])
    const plain = diffSchemas(a, b)
    expect(
      lintChanges(plain, 'p.sql')
        .map((f) => f.rule)
        .sort(),
    ).to.deep.equal([
      'adding-foreign-key-constraint',
      'adding-not-nullable-field',
      'constraint-missing-not-valid',
      'disallowed-unique-constraint',
    ])
    const safe = safeChanges(plain, b)
    expect(lintChanges(safe, 's.sql')).to.deep.equal([])
    const sql = upSteps(safe).map((s) => `${s.transactional ? '' : '[alone] '}${s.sql}`)
    expect(sql).to.include.members([
      `ALTER TABLE "public"."posts" ADD CONSTRAINT "posts_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "public"."users" ("id") NOT VALID`,
      `[alone] ALTER TABLE "public"."posts" VALIDATE CONSTRAINT "posts_author_id_fkey"`,
      `[alone] CREATE UNIQUE INDEX CONCURRENTLY "users_email_key" ON "public"."users" ("email")`,
      `ALTER TABLE "public"."users" ADD CONSTRAINT "users_email_key" UNIQUE USING INDEX "users_email_key"`,
      `[alone] ALTER TABLE "public"."users" VALIDATE CONSTRAINT "users_email_not_null"`,
      `[alone] CREATE INDEX CONCURRENTLY "posts_author_id_idx" ON "public"."posts" ("author_id")`,
    ])
  })
})
