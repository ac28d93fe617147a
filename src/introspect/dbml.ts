/**
 * Model → DBML text, for `db pull` and `db import`. Deterministic: enums, tables, refs and groups
 * in the model's order, so the same database always gives the same file. Names are written only
 * where the DBML parser would not give the same name by itself; `toDbml` checks that by parsing
 * the text back and, for a table where any name came back different, writes all its names.
 */
import type {
  ColumnModel,
  DefaultValue,
  EnumModel,
  ForeignKeyModel,
  IndexModel,
  SchemaModel,
  TableModel,
} from '../schema/model.js'
import {constraintName, expressionLabel} from '../schema/names.js'
import {parseSchema} from '../schema/parse.js'

export interface DbmlOptions {
  /** Comment lines for the top of the file. */
  header?: string[]
  /** `//` lines above a table ("schema.table" → lines). */
  comments?: Map<string, string[]>
}

interface PrintState extends DbmlOptions {
  /** Tables ("schema.table") whose every constraint and index name is written out. */
  explicit: Set<string>
}

/** Words that start a block or a setting in DBML: a column with such a name is quoted. */
const RESERVED = new Set([
  'table',
  'enum',
  'ref',
  'note',
  'indexes',
  'checks',
  'project',
  'tablegroup',
  'tablepartial',
  'records',
  'as',
  'null',
  'true',
  'false',
])

export function ident(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase())) return name
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

export function dbmlString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
  return `'${escaped}'`
}

function qualified(schema: string, name: string): string {
  return schema === 'public' ? ident(name) : `${ident(schema)}.${ident(name)}`
}

const keyOf = (t: {schema: string; name: string}): string => `${t.schema}.${t.name}`

/** DBML text whose parse gives back this model's names. Throws when the text does not parse (a bug here). */
export async function toDbml(model: SchemaModel, options: DbmlOptions = {}): Promise<string> {
  const state: PrintState = {...options, explicit: new Set()}
  for (let attempt = 0; attempt < 3; attempt++) {
    const text = printDbml(model, state)
    const parsed = await parseSchema(text, 'pulled.dbml')
    if (parsed.parseErrors.length > 0) {
      const first = parsed.parseErrors[0]
      throw new Error(
        `the DBML written for this database does not parse (line ${first.line}:${first.column}: ${first.message})`,
      )
    }
    const differing = tablesWithOtherNames(model, parsed.model)
    const before = state.explicit.size
    for (const key of differing) state.explicit.add(key)
    if (state.explicit.size === before) return text
  }
  return printDbml(model, state)
}

function namesOf(t: TableModel): string[] {
  return [
    t.primaryKey?.name ?? '',
    ...t.uniques.map((u) => u.name),
    ...t.indexes.map((i) => i.name),
    ...t.foreignKeys.map((f) => f.name),
    ...t.checks.map((c) => c.name),
  ].sort()
}

function tablesWithOtherNames(wanted: SchemaModel, got: SchemaModel): string[] {
  const byKey = new Map(got.tables.map((t) => [keyOf(t), t]))
  return wanted.tables
    .filter((t) => {
      const other = byKey.get(keyOf(t))
      return !other || JSON.stringify(namesOf(t)) !== JSON.stringify(namesOf(other))
    })
    .map(keyOf)
}

export function printDbml(model: SchemaModel, state: PrintState = {explicit: new Set()}): string {
  const blocks: string[] = []
  if (state.header?.length) blocks.push(state.header.map((l) => `// ${l}`).join('\n'))
  if (model.note !== undefined) blocks.push(`Project project {\n  Note: ${dbmlString(model.note)}\n}`)
  for (const e of model.enums) blocks.push(printEnum(e))
  for (const t of model.tables) blocks.push(printTable(t, state))
  const refs = model.tables.flatMap((t) => t.foreignKeys.map((fk) => printRef(t, fk, state)))
  if (refs.length > 0) blocks.push(refs.join('\n'))
  for (const g of model.tableGroups) {
    const lines = g.tables.map((t) => {
      const dot = t.indexOf('.')
      return `  ${qualified(t.slice(0, dot), t.slice(dot + 1))}`
    })
    if (g.note !== undefined) lines.push(`  Note: ${dbmlString(g.note)}`)
    blocks.push(`TableGroup ${ident(g.name)} {\n${lines.join('\n')}\n}`)
  }
  return blocks.join('\n\n') + '\n'
}

function printEnum(e: EnumModel): string {
  return `Enum ${qualified(e.schema, e.name)} {\n${e.values.map((v) => `  ${ident(v)}`).join('\n')}\n}`
}

function printTable(t: TableModel, state: PrintState): string {
  const explicit = state.explicit.has(keyOf(t))
  const inlinePk =
    t.primaryKey &&
    t.primaryKey.columns.length === 1 &&
    !explicit &&
    t.primaryKey.name === constraintName(t.name, [], 'pkey')
      ? t.primaryKey.columns[0]
      : undefined
  const inlineUniques = new Set(
    t.uniques
      .filter(
        (u) =>
          u.columns.length === 1 &&
          !explicit &&
          u.name === constraintName(t.name, u.columns, 'key') &&
          u.columns[0] !== inlinePk,
      )
      .map((u) => u.columns[0]),
  )
  // A check named as PostgreSQL names a column check (`<table>_<column>_check`) is written on its column.
  const columnChecks = new Map<string, string>()
  for (const check of t.checks) {
    const column = t.columns.find((c) => constraintName(t.name, [c.name], 'check') === check.name)
    if (column && !columnChecks.has(column.name) && !check.expression.includes('\n'))
      columnChecks.set(column.name, check.expression)
  }
  const blockChecks = t.checks.filter(
    (c) =>
      ![...columnChecks].some(
        ([col, expr]) => expr === c.expression && constraintName(t.name, [col], 'check') === c.name,
      ),
  )
  const lines = (state.comments?.get(keyOf(t)) ?? []).map((c) => `// ${c}`)
  lines.push(`Table ${qualified(t.schema, t.name)} {`)
  for (const c of t.columns)
    lines.push(`  ${printColumn(c, c.name === inlinePk, inlineUniques.has(c.name), columnChecks.get(c.name))}`)
  const indexLines: string[] = []
  if (t.primaryKey && inlinePk === undefined)
    indexLines.push(
      `(${t.primaryKey.columns.map(ident).join(', ')}) [pk${nameSetting(t.primaryKey.name, constraintName(t.name, [], 'pkey'), explicit)}]`,
    )
  for (const u of t.uniques) {
    if (
      u.columns.length === 1 &&
      inlineUniques.has(u.columns[0]) &&
      u.name === constraintName(t.name, u.columns, 'key')
    )
      continue
    indexLines.push(
      `(${u.columns.map(ident).join(', ')}) [unique${nameSetting(u.name, constraintName(t.name, u.columns, 'key'), explicit)}]`,
    )
  }
  for (const i of t.indexes) indexLines.push(printIndex(t, i, explicit))
  if (indexLines.length > 0) lines.push('', '  Indexes {', ...indexLines.map((l) => `    ${l}`), '  }')
  if (blockChecks.length > 0) {
    lines.push('', '  checks {')
    for (const c of blockChecks) lines.push(`    \`${c.expression}\` [name: ${dbmlString(c.name)}]`)
    lines.push('  }')
  }
  if (t.note !== undefined) lines.push('', `  Note: ${dbmlString(t.note)}`)
  lines.push('}')
  return lines.join('\n')
}

function nameSetting(name: string, generated: string, explicit: boolean, first = false): string {
  if (!explicit && name === generated) return ''
  return `${first ? '' : ', '}name: ${dbmlString(name)}`
}

export function typeText(c: ColumnModel): string {
  const base = c.type.schema
    ? `${ident(c.type.schema)}.${ident(c.type.name)}`
    : /^[A-Za-z_][A-Za-z0-9_]*$/.test(c.type.name)
      ? c.type.name
      : ident(c.type.name)
  const args = c.type.args.length > 0 ? `(${c.type.args.join(',')})` : ''
  return base + args + '[]'.repeat(c.type.arrayDims)
}

function printColumn(c: ColumnModel, pk: boolean, unique: boolean, check?: string): string {
  const settings: string[] = []
  if (pk) settings.push('pk')
  if (c.identity) settings.push('increment')
  if (c.notNull && !pk) settings.push('not null')
  if (unique) settings.push('unique')
  if (c.default) settings.push(`default: ${defaultText(c.default)}`)
  if (check !== undefined) settings.push(`check: \`${check}\``)
  if (c.note !== undefined) settings.push(`note: ${dbmlString(c.note)}`)
  return `${ident(c.name)} ${typeText(c)}${settings.length > 0 ? ` [${settings.join(', ')}]` : ''}`
}

function defaultText(d: DefaultValue): string {
  switch (d.kind) {
    case 'string':
      return dbmlString(d.value)
    case 'number':
      return d.value
    case 'boolean':
      return String(d.value)
    case 'null':
      return 'null'
    case 'expression':
      return `\`${d.sql}\``
  }
}

function printIndex(t: TableModel, i: IndexModel, explicit: boolean): string {
  const parts = i.parts.map((p) => (p.kind === 'column' ? ident(p.name) : `\`${p.sql}\``)).join(', ')
  const labels = i.parts.map((p) => (p.kind === 'column' ? p.name : expressionLabel(p.sql)))
  const settings: string[] = []
  if (i.method) settings.push(`type: ${i.method}`)
  if (i.unique) settings.push('unique')
  const name = nameSetting(i.name, constraintName(t.name, labels, 'idx'), explicit, true)
  if (name) settings.push(name)
  if (i.note !== undefined) settings.push(`note: ${dbmlString(i.note)}`)
  return `(${parts})${settings.length > 0 ? ` [${settings.join(', ')}]` : ''}`
}

const ACTION_TEXT: Record<string, string> = {
  'NO ACTION': 'no action',
  RESTRICT: 'restrict',
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  'SET DEFAULT': 'set default',
}

function endpoint(schema: string, table: string, columns: string[]): string {
  const cols = columns.length === 1 ? ident(columns[0]) : `(${columns.map(ident).join(', ')})`
  return `${qualified(schema, table)}.${cols}`
}

/** The table holding the key is on the left: `>` many-to-one, `-` one-to-one (the parser puts the key on the left of a `-`). */
function printRef(t: TableModel, fk: ForeignKeyModel, state: PrintState): string {
  const name =
    state.explicit.has(keyOf(t)) || fk.name !== constraintName(t.name, fk.columns, 'fkey') ? ` ${ident(fk.name)}` : ''
  const symbol = fk.relation === 'one-to-one' ? '-' : '>'
  const settings: string[] = []
  if (fk.onDelete) settings.push(`delete: ${ACTION_TEXT[fk.onDelete]}`)
  if (fk.onUpdate) settings.push(`update: ${ACTION_TEXT[fk.onUpdate]}`)
  const tail = settings.length > 0 ? ` [${settings.join(', ')}]` : ''
  return `Ref${name}: ${endpoint(t.schema, t.name, fk.columns)} ${symbol} ${endpoint(fk.refSchema, fk.refTable, fk.refColumns)}${tail}`
}
