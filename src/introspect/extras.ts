/**
 * Everything in the database that DBML has no words for: extensions, domains, composite types,
 * free-standing sequences, functions, views, triggers, row-level security and its policies, grants,
 * and comments DBML cannot carry. Each comes with the statements that recreate it after the
 * tables exist (or before them, for what tables may need).
 */
import {quoteQualified as qualify, quoteIdent, quoteLiteral} from '@nself/sdk/sql'
import type {TableModel} from '../schema/model.js'
import type {CatalogRows, RelationRow} from './queries.js'
import type {Extra} from './types.js'

interface Scope {
  /** Tables in the model, by oid. */
  tables: Map<string, TableModel>
  excludedTable: (schema: string, table: string) => boolean
  /** Schemas the model creates. */
  schemas: string[]
  /** Sequences that became serial columns. */
  serialSequences: Set<string>
}

const COMMANDS: Record<string, string> = {r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL'}

export function collectExtras(rows: CatalogRows, scope: Scope): Extra[] {
  const relations = new Map(rows.relations.map((r) => [r.oid, r]))
  /** Relations whose extras belong in the output: not excluded, and not partitions (their parent speaks for them). */
  const wanted = (rel: RelationRow | undefined): rel is RelationRow =>
    rel !== undefined && !scope.excludedTable(rel.schema, rel.name) && !rel.is_partition
  return [
    ...extensionExtras(rows),
    ...schemaExtras(rows, scope),
    ...typeExtras(rows),
    ...sequenceExtras(rows, scope, relations),
    ...functionExtras(rows),
    ...viewExtras(rows, wanted),
    ...matviewIndexExtras(rows, relations, wanted),
    ...triggerExtras(rows, relations, wanted),
    ...securityExtras(rows, relations, wanted),
    ...grantExtras(rows, relations, wanted),
  ]
}

function extensionExtras(rows: CatalogRows): Extra[] {
  return rows.extensions.map((e) => ({
    kind: 'extension',
    object: e.name,
    reason: `extension ${e.name} ${e.version}`,
    phase: 'before',
    sql: [`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`],
  }))
}

function schemaExtras(rows: CatalogRows, scope: Scope): Extra[] {
  const used = new Set([
    ...rows.relations.map((r) => r.schema),
    ...rows.types.map((t) => t.schema),
    ...rows.functions.map((f) => f.schema),
  ])
  const extras: Extra[] = []
  for (const s of rows.schemas) {
    if (!used.has(s.name) || scope.schemas.includes(s.name)) continue
    extras.push({
      kind: 'schema',
      object: s.name,
      reason: 'holds no table or enum, so DBML does not create it',
      phase: 'before',
      sql: [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s.name)}`],
    })
  }
  return extras
}

function typeExtras(rows: CatalogRows): Extra[] {
  const extras: Extra[] = []
  for (const t of rows.types) {
    const name = qualify(t.schema, t.name)
    const object = `${t.schema}.${t.name}`
    if (t.kind === 'e') {
      if (t.comment !== null)
        extras.push({
          kind: 'comment',
          object,
          reason: 'comment on an enum: DBML has no enum notes',
          phase: 'after',
          sql: [`COMMENT ON TYPE ${name} IS ${quoteLiteral(t.comment)}`],
        })
      continue
    }
    const sql =
      t.kind === 'd'
        ? [
            [
              `CREATE DOMAIN ${name} AS ${t.domain_base}`,
              t.domain_default === null ? '' : ` DEFAULT ${t.domain_default}`,
              t.domain_not_null ? ' NOT NULL' : '',
              ...(t.domain_checks ?? []).map((c) => ` ${c}`),
            ].join(''),
          ]
        : [`CREATE TYPE ${name} AS (${t.composite ?? ''})`]
    if (t.comment !== null)
      sql.push(`COMMENT ON ${t.kind === 'd' ? 'DOMAIN' : 'TYPE'} ${name} IS ${quoteLiteral(t.comment)}`)
    extras.push({
      kind: t.kind === 'd' ? 'domain' : 'type',
      object,
      reason: t.kind === 'd' ? `domain over ${t.domain_base}` : 'composite type',
      phase: 'before',
      sql,
    })
  }
  return extras
}

function sequenceExtras(rows: CatalogRows, scope: Scope, relations: Map<string, RelationRow>): Extra[] {
  const extras: Extra[] = []
  for (const s of rows.sequences) {
    if (scope.serialSequences.has(s.oid) || s.dependency === 'i') continue
    const owner = s.owner_rel === null ? undefined : relations.get(s.owner_rel)
    const sql = [
      `CREATE SEQUENCE IF NOT EXISTS ${qualify(s.schema, s.name)} AS ${s.type} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}${s.cycle ? ' CYCLE' : ''}`,
    ]
    const reason = owner
      ? `owned by a column of ${owner.schema}.${owner.name} that DBML does not declare as serial`
      : 'owned by nothing'
    extras.push({kind: 'sequence', object: `${s.schema}.${s.name}`, reason, phase: 'before', sql})
  }
  return extras
}

function functionExtras(rows: CatalogRows): Extra[] {
  const extras: Extra[] = []
  for (const f of rows.functions) {
    const object = `${f.schema}.${f.name}(${f.arguments})`
    const kind = f.kind === 'a' ? 'aggregate' : f.kind === 'p' ? 'procedure' : 'function'
    const sql =
      f.kind === 'a'
        ? [`CREATE AGGREGATE ${qualify(f.schema, f.name)}(${f.arguments}) (${f.aggregate})`]
        : [stripSemicolon(f.definition ?? '')]
    if (f.comment !== null)
      sql.push(
        `COMMENT ON ${kind.toUpperCase()} ${qualify(f.schema, f.name)}(${f.arguments}) IS ${quoteLiteral(f.comment)}`,
      )
    extras.push({kind: 'function', object, reason: kind, phase: 'after', sql})
  }
  return extras
}

function stripSemicolon(sql: string): string {
  return sql.trim().replace(/;$/, '')
}

/** Views in creation (oid) order, which is an order their dependencies allow. */
function viewExtras(rows: CatalogRows, wanted: (rel: RelationRow | undefined) => rel is RelationRow): Extra[] {
  const views = rows.relations
    .filter((r) => (r.kind === 'v' || r.kind === 'm' || r.kind === 'f') && wanted(r))
    .sort((a, b) => Number(a.oid) - Number(b.oid))
  return views.map((v) => {
    const name = qualify(v.schema, v.name)
    if (v.kind === 'f') {
      return {
        kind: 'table',
        object: `${v.schema}.${v.name}`,
        reason: 'foreign table: DBML has none',
        phase: 'after',
        sql: [],
        manual: true,
      }
    }
    const sql = [
      v.kind === 'm'
        ? `CREATE MATERIALIZED VIEW ${name} AS\n${stripSemicolon(v.view_definition ?? '')}`
        : `CREATE VIEW ${name} AS\n${stripSemicolon(v.view_definition ?? '')}`,
    ]
    if (v.comment !== null)
      sql.push(`COMMENT ON ${v.kind === 'm' ? 'MATERIALIZED VIEW' : 'VIEW'} ${name} IS ${quoteLiteral(v.comment)}`)
    return {
      kind: v.kind === 'm' ? 'materialized view' : 'view',
      object: `${v.schema}.${v.name}`,
      reason: v.kind === 'm' ? 'materialized view' : 'view',
      phase: 'after',
      sql,
    }
  })
}

function matviewIndexExtras(
  rows: CatalogRows,
  relations: Map<string, RelationRow>,
  wanted: (rel: RelationRow | undefined) => rel is RelationRow,
): Extra[] {
  return rows.indexes.flatMap((i): Extra[] => {
    const rel = relations.get(i.rel)
    if (rel?.kind !== 'm' || !wanted(rel)) return []
    return [
      {
        kind: 'index',
        object: `${rel.schema}.${i.name}`,
        reason: `index on the materialized view ${rel.schema}.${rel.name}`,
        phase: 'after',
        sql: [i.definition],
      },
    ]
  })
}

function triggerExtras(
  rows: CatalogRows,
  relations: Map<string, RelationRow>,
  wanted: (rel: RelationRow | undefined) => rel is RelationRow,
): Extra[] {
  return rows.triggers.flatMap((t): Extra[] => {
    const rel = relations.get(t.rel)
    if (!wanted(rel)) return []
    const sql = [t.definition]
    if (t.enabled === 'D')
      sql.push(`ALTER TABLE ${qualify(rel.schema, rel.name)} DISABLE TRIGGER ${quoteIdent(t.name)}`)
    return [
      {
        kind: 'trigger',
        object: `${rel.schema}.${rel.name} (trigger ${t.name})`,
        reason: 'trigger',
        phase: 'after',
        sql,
      },
    ]
  })
}

function securityExtras(
  rows: CatalogRows,
  relations: Map<string, RelationRow>,
  wanted: (rel: RelationRow | undefined) => rel is RelationRow,
): Extra[] {
  const extras: Extra[] = []
  for (const rel of rows.relations) {
    if (!(rel.rls || rel.force_rls) || !wanted(rel)) continue
    const name = qualify(rel.schema, rel.name)
    const sql = [
      ...(rel.rls ? [`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`] : []),
      ...(rel.force_rls ? [`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY`] : []),
    ]
    extras.push({
      kind: 'row level security',
      object: `${rel.schema}.${rel.name}`,
      reason: 'row level security enabled',
      phase: 'after',
      sql,
    })
  }
  for (const p of rows.policies) {
    const rel = relations.get(p.rel)
    if (!wanted(rel)) continue
    let sql = `CREATE POLICY ${quoteIdent(p.name)} ON ${qualify(rel.schema, rel.name)} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${COMMANDS[p.command]} TO ${p.roles.join(', ')}`
    if (p.using !== null) sql += ` USING (${p.using})`
    if (p.with_check !== null) sql += ` WITH CHECK (${p.with_check})`
    extras.push({
      kind: 'policy',
      object: `${rel.schema}.${rel.name} (policy ${p.name})`,
      reason: 'row level security policy',
      phase: 'after',
      sql: [sql],
    })
  }
  return extras
}

function grantExtras(
  rows: CatalogRows,
  relations: Map<string, RelationRow>,
  wanted: (rel: RelationRow | undefined) => rel is RelationRow,
): Extra[] {
  const grouped = new Map<string, {rel: RelationRow; grantee: string; privileges: string[]; grantable: boolean}>()
  for (const g of rows.grants) {
    const rel = relations.get(g.rel)
    if (!wanted(rel)) continue
    const key = `${g.rel}|${g.grantee}|${g.grantable}`
    const entry = grouped.get(key) ?? {rel, grantee: g.grantee, privileges: [], grantable: g.grantable}
    entry.privileges.push(g.privilege)
    grouped.set(key, entry)
  }
  return [...grouped.values()].map((g) => {
    const what = g.rel.kind === 'S' ? 'SEQUENCE' : 'TABLE'
    const sql = `GRANT ${g.privileges.join(', ')} ON ${what} ${qualify(g.rel.schema, g.rel.name)} TO ${g.grantee}${g.grantable ? ' WITH GRANT OPTION' : ''}`
    return {
      kind: 'grant',
      object: `${g.rel.schema}.${g.rel.name} (to ${g.grantee})`,
      reason: 'privileges granted',
      phase: 'after',
      sql: [sql],
    }
  })
}
