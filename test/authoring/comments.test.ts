/**
 * User text (names, notes) in the comments of generated migrations can never become SQL. A name
 * with a line break used to end its `--` comment, and the text after it ran as a statement.
 *
 * The fuzz builds 10,000 seeded schema pairs whose names are made of line breaks, comment and
 * quote openers and SQL, renders the migration files and lexes them with the shared splitSql:
 * the statements must be exactly the plan's, in order, with no-transaction markers only where the
 * plan has them. A smaller set is applied to a real database next to a table that must survive.
 */
import {expect} from 'chai'
import {prng} from '../../bench/gen-dbml.mjs'
import {splitSql} from '@nself/sdk/sql'
import {renderMigration} from '../../src/authoring/generated.js'
import {diffSchemas, emptyModel} from '../../src/diff/index.js'
import {downSteps, upSteps} from '../../src/diff/steps.js'
import type {SchemaModel} from '../../src/schema/model.js'
import {parseSchema} from '../../src/schema/parse.js'
import {validateSchema} from '../../src/validate/index.js'
import {applySteps, generatedStatements} from '../helpers/roundtrip.js'
import {col, enumType, model, table} from '../helpers/model.js'
import {createTestDatabase} from '../helpers/pg.js'

const CASES = 10_000
const APPLIED = 40
// FUZZ_SEED=n runs another reproducible set of cases.
const SEED = Number(process.env.FUZZ_SEED ?? 20260812)

const BREAKS = ['\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\v', '\f', '\u001b[2J', '\t', '\u0000']
const SQLISH = [
  'DROP TABLE victim;',
  'DROP TABLE IF EXISTS victim;',
  '--',
  '/*',
  '*/',
  ';',
  "'",
  '"',
  '$$',
  "E'",
  '\\',
  '-- nself:no-transaction',
  ' ',
  'x',
  'name',
  '(',
  ')',
  'é',
]

type Rand = () => number

function hostileName(rand: Rand, n: number, database: boolean): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  const parts: string[] = []
  const count = 1 + Math.floor(rand() * 5)
  for (let i = 0; i < count; i++) {
    const brk = pick(BREAKS)
    parts.push(rand() < 0.5 && !(database && brk === '\u0000') ? brk : pick(SQLISH))
  }
  // A suffix keeps names unique; the database set stays within PostgreSQL's 63 bytes.
  const name = parts.join('') + `_${n}`
  return database ? truncateBytes(name, 50 - String(n).length) + `_${n}` : name
}

function truncateBytes(text: string, bytes: number): string {
  let out = ''
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > bytes) break
    out += ch
  }
  return out
}

function randomModel(rand: Rand, database: boolean): SchemaModel {
  let n = 0
  const name = () => hostileName(rand, n++, database)
  const enums = rand() < 0.5 ? [enumType(name(), [name(), name()], {note: name()})] : []
  const tables = Array.from({length: 1 + Math.floor(rand() * 3)}, () => {
    const tname = name()
    const cols = [col(name(), 'int', {pk: true, note: name()}), col(name(), 'text', {unique: rand() < 0.5})]
    if (enums.length > 0) cols.push(col(name(), 'int')) // its type is set to the enum below
    const t = table(tname, cols, {note: name(), indexes: rand() < 0.5 ? [{columns: [cols[1].name], name: name()}] : []})
    if (enums.length > 0) t.columns[2].type = {name: enums[0].name, schema: 'public', args: [], arrayDims: 0}
    return t
  })
  if (tables.length > 1) {
    const [a, b] = tables
    a.columns.push(col(name(), 'int'))
    a.foreignKeys.push({
      name: name(),
      columns: [a.columns.at(-1)!.name],
      refSchema: 'public',
      refTable: b.name,
      refColumns: [b.columns[0].name],
    })
  }
  return model(tables, enums)
}

/** B from A: a column added and one dropped, an enum value added, a note changed. */
function mutated(rand: Rand, a: SchemaModel, database: boolean): SchemaModel {
  const b = structuredClone(a)
  const t = b.tables[0]
  t.columns.push({...col(hostileName(rand, 900, database), 'text'), options: undefined} as never)
  delete (t.columns.at(-1) as {options?: unknown}).options
  if (t.columns.length > 3 && rand() < 0.5) t.columns.splice(1, 1)
  t.note = hostileName(rand, 901, database)
  if (b.enums[0]) b.enums[0].values.push(hostileName(rand, 902, database))
  t.uniques = t.uniques.filter((u) => u.columns.every((c) => t.columns.some((x) => x.name === c)))
  t.indexes = t.indexes.filter((i) =>
    i.parts.every((p) => p.kind !== 'column' || t.columns.some((x) => x.name === p.name)),
  )
  return b
}

function pair(rand: Rand, database: boolean): {from: SchemaModel; to: SchemaModel} {
  const a = randomModel(rand, database)
  const r = rand()
  if (r < 0.4) return {from: emptyModel(), to: a}
  if (r < 0.6) return {from: a, to: emptyModel()}
  return {from: a, to: mutated(rand, a, database)}
}

function checkRendered(from: SchemaModel, to: SchemaModel, where: string) {
  const changes = diffSchemas(from, to)
  const files = renderMigration(changes, '007_fuzz', 'database/schema.dbml')
  for (const [file, text, steps] of [
    ['up', files.up, upSteps(changes)],
    ['down', files.down, downSteps(changes)],
  ] as const) {
    const lexed = generatedStatements(text)
    const expected = steps.map((s) => ({sql: s.sql, transactional: s.transactional}))
    expect(lexed, `${where} ${file}:\n${text}`).to.deep.equal(expected)
    // Every line outside a statement is a comment or blank: nothing else can reach the server.
    for (const line of text.split(/\r\n|[\n\r\u2028\u2029\u0085]/)) {
      if (!line.startsWith('--') && line.trim() !== '')
        expect(
          expected.some((s) => `${s.sql};`.includes(line)),
          `${where} ${file}: stray line ${JSON.stringify(line)}`,
        ).to.equal(true)
    }
  }
  return {changes, files}
}

describe('generated comments: user text never becomes SQL', function () {
  this.timeout(180_000)

  it('a table name with a line break stays inside its comment', () => {
    const to = model([table('y\nDROP TABLE IF EXISTS victim;\n--', [col('id', 'int', {pk: true})])])
    const {files} = checkRendered(emptyModel(), to, 'table name')
    expect(files.up).to.include('-- Destructive: none')
    expect(splitSql(files.up).map((s) => s.sql.slice(0, 12))).to.deep.equal(['CREATE TABLE'])
    expect(files.up).to.include('create table public.y\\nDROP TABLE IF EXISTS victim;\\n--')
  })

  it('column, index and enum value names and a carriage return stay inside their comments', () => {
    const e = enumType('mood', ['ok', 'v\rDROP TABLE victim;'])
    const t = table('t', [col('id', 'int', {pk: true}), col('c\u2028DROP TABLE victim;', 'text')], {
      indexes: [{columns: ['id'], name: 'i\nDROP TABLE victim;--'}],
    })
    const a = model([t], [e])
    const b = structuredClone(a)
    b.enums[0].values.push('w\nDROP TABLE victim;')
    b.tables[0].columns.push({
      name: 'd\nDROP TABLE victim;',
      type: {name: 'int', args: [], arrayDims: 0},
      notNull: false,
      identity: false,
    })
    checkRendered(emptyModel(), a, 'create')
    checkRendered(a, b, 'alter')
    checkRendered(a, emptyModel(), 'drop')
  })

  it('db validate refuses control characters in names, with file:line:col', async () => {
    const source = [
      'Table "y\\nDROP TABLE IF EXISTS victim;\\n--" {',
      '  id int [pk]',
      '  "c\\rx" int',
      '}',
      'Enum e {',
      '  "v\\u0007"',
      '  ok',
      '}',
    ].join('\n')
    const parsed = await parseSchema(source, 'database/schema.dbml')
    const errors = validateSchema(parsed).filter((d) => d.rule === 'control-character')
    expect(errors.map((d) => [d.line, d.severity])).to.deep.include.members([
      [1, 'error'],
      [3, 'error'],
    ])
    for (const d of errors) {
      expect(d.message).to.not.match(/[\n\r]/)
      expect(d.message).to.not.include('\u0007')
      expect(d.message).to.match(/control character/)
    }
    expect(errors.find((d) => d.line === 1)!.message).to.include('y\\nDROP TABLE IF EXISTS victim;\\n--')
  })

  it(`fuzz: ${CASES} seeded cases lex to exactly the plan's statements`, () => {
    const rand = prng(SEED)
    for (let n = 0; n < CASES; n++) {
      const {from, to} = pair(rand, false)
      checkRendered(from, to, `case ${n} (seed ${SEED})`)
    }
  })
})

describe('generated comments applied @db', function () {
  this.timeout(180_000)

  it(`fuzz: ${APPLIED} seeded cases change nothing but what the schema says`, async () => {
    const db = await createTestDatabase()
    try {
      await db.client.query('CREATE TABLE victim (id int)')
      const rand = prng(SEED + 1)
      for (let n = 0; n < APPLIED; n++) {
        const to = randomModel(rand, true)
        const {files} = checkRendered(emptyModel(), to, `applied case ${n}`)
        await applySteps(db.client, generatedStatements(files.up))
        const names = async () =>
          (
            await db.client.query<{relname: string}>(
              "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1",
            )
          ).rows.map((r) => r.relname)
        expect(await names(), `case ${n}`).to.have.members(['victim', ...to.tables.map((t) => t.name)])
        await applySteps(db.client, generatedStatements(files.down))
        expect(await names(), `case ${n} after down`).to.deep.equal(['victim'])
      }
    } finally {
      await db.drop()
    }
  })
})
