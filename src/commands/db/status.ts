import type {Client} from 'pg'
import {DbCommand} from '../../cli/db-command.js'
import {resolveConnection} from '../../db/connect.js'
import {ping} from '../../db/info.js'
import {seedStatus, type SeedStatusEntry} from '../../seed/index.js'
import {schemaAhead, type SchemaAhead} from '../../authoring/index.js'
import {migrationStatus, type MigrationStatus} from '../../runner/index.js'

export default class DbStatus extends DbCommand<typeof DbStatus> {
  static override summary =
    'Show the connection, applied and pending migrations, changed files, and whether schema.dbml is ahead.'
  static override description =
    'Reads only: it never creates the history table. A migration whose file changed after it was applied is listed as CHANGED (it blocks migrate:up); one that stopped part way is listed with how far it got.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override enableJsonFlag = true

  async run(): Promise<object> {
    const {connection, project, settings, environment} = this.nself
    const target = await resolveConnection(this.nself, (m) => this.notice(m))
    const client = await this.connect()
    const server = await ping(client)
    const migrations = await migrationStatus(client, project.migrationsDir, settings.migrationTable)
    const schema = await schemaAhead(project.schemaFile, project.migrationsDir)
    const seeds = await this.seedStatus(client)
    const conn = {
      ok: true,
      serverVersion: server.serverVersion,
      host: target.host,
      port: target.port,
      database: connection.database,
      embedded: connection.embedded,
      environment,
    }
    this.print(conn, migrations, schema, seeds)
    return {connection: conn, migrations, schemaAhead: schema, seeds}
  }

  /** Which seed files of this environment ran, which changed since, which are pending. */
  protected async seedStatus(client: Client): Promise<{summary: string; files: SeedStatusEntry[]}> {
    const files = await seedStatus(client, {seedsDir: this.nself.project.seedsDir, environment: this.nself.environment})
    const count = (state: string) => files.filter((f) => f.state === state).length
    const summary =
      files.length === 0
        ? `no seed files for ${this.nself.environment}`
        : `${count('applied')} applied, ${count('changed')} changed, ${count('pending')} pending (${this.nself.environment})`
    return {summary, files}
  }

  private print(
    conn: {serverVersion: string; host: string; port: number; database: string; embedded: boolean; environment: string},
    m: MigrationStatus,
    schema: SchemaAhead,
    seeds: {summary: string},
  ): void {
    this.log(
      `Connection   ok: PostgreSQL ${conn.serverVersion} at ${conn.host}:${conn.port}, database ${conn.database}${conn.embedded ? ' (embedded)' : ''}, environment ${conn.environment}`,
    )
    this.log(`Migrations   ${m.applied.length} applied, ${m.pending.length} pending (history table ${m.table})`)
    for (const p of m.pending) this.log(`  pending    ${p.version}_${p.name}`)
    for (const p of m.partial)
      this.log(
        `  PART WAY   ${p.version}_${p.name}: ${p.statementsDone} of ${p.statements ?? '?'} statements done; nself db migrate:up continues it`,
      )
    for (const c of m.changed)
      this.log(
        `  CHANGED    ${c.version}_${c.name}: ${c.file} changed since it was applied (blocks migrate:up; see migrate:resolve --accept-checksum)`,
      )
    for (const x of m.missing) this.log(`  missing    ${x.version}_${x.name}: applied, but its file is gone`)
    const ahead = schema.ahead === 'unknown' ? 'unknown' : schema.ahead ? 'yes' : 'no'
    this.log(`Schema       ahead of migrations: ${ahead} (${schema.reason})`)
    this.log(`Seeds        ${seeds.summary}`)
  }
}
