/**
 * `db validate --deep`: the schema's whole CREATE script run on a throwaway database inside a
 * transaction that is rolled back, so expression errors (defaults, checks, index expressions)
 * show up at validate time with their DBML line.
 * `db validate --check-down NNN`: a hand-written pair proven like a generated one: migrations
 * before NNN, its up, its down (the catalog must be as before the up), its up again (as after the
 * first up). A record of the verified files' checksums is kept (meta/NNN.verified.json).
 */
import {readFileSync} from 'node:fs'
import {relative} from 'node:path'
import {UsageError, ValidationError} from '@nself/sdk/errors'
import {readCatalog} from '../db/catalog.js'
import {diffSchemas} from '../diff/diff.js'
import {emptyModel} from '../schema/model.js'
import {type ChangeStep as Step, upSteps} from '../diff/steps.js'
import {compareCatalogs} from '../authoring/drift.js'
import {compareVersions, discoverMigrations, sameVersion} from '../runner/files.js'
import type {SchemaModel} from '../schema/model.js'
import {type FileStatement, StatementError, fileStatements, runStatements} from './apply.js'
import {locateError} from './locate.js'
import {type VerificationRecord, sha256, writeSideRecord} from './record.js'
import {type VerifyServer, serverVersion, withScratchDatabase} from './server.js'
import {describeDrift} from './verify.js'
import {withRollback} from '@nself/sdk/sql'

/** Undefined when the whole CREATE script runs; else one located message per failure (the first). */
export async function deepValidate(server: VerifyServer, model: SchemaModel, file: string): Promise<{server: string}> {
  return withScratchDatabase(server, async (db) => {
    const steps = upSteps(diffSchemas(emptyModel(), model))
    await withRollback(db, async () => {
      for (const step of steps) await runOne(db, step, model, file)
    })
    return {server: await serverVersion(db)}
  })
}

async function runOne(db: import('pg').Client, step: Step, model: SchemaModel, file: string): Promise<void> {
  try {
    await db.query(step.sql)
  } catch (error) {
    throw new ValidationError(locateError(error as {message: string}, step.sql, step.change, model, file), {
      code: 'NSELF_SCHEMA_REFUSED',
      hint: 'PostgreSQL refuses this part of the schema (found by running the CREATE script on a scratch database, rolled back).',
    })
  }
}

export async function checkDown(
  server: VerifyServer,
  migrationsDir: string,
  version: string,
): Promise<{record: VerificationRecord; file: string}> {
  const migrations = discoverMigrations(migrationsDir)
  const target = migrations.find((m) => sameVersion(m.version, version))
  if (!target)
    throw new UsageError(`no migration ${version} in ${shown(migrationsDir)}`, {
      hint: 'Pass a version listed by `nself db status`.',
    })
  if (!target.downFile)
    throw new ValidationError(`migration ${target.version}_${target.name} has no down file`, {
      hint: `Write ${target.version}_${target.name}.down.sql first.`,
    })
  const before = migrations.filter((m) => compareVersions(m.version, target.version) < 0)
  const server_ = await withScratchDatabase(server, async (db) => {
    for (const m of before) await runFile(db, m.upFile)
    const a = await readCatalog(db)
    await runFile(db, target.upFile)
    const b = await readCatalog(db)
    await runFile(db, target.downFile!)
    expectSame(
      a,
      await readCatalog(db),
      `${target.version}_${target.name}.down.sql does not give back the state before the up`,
    )
    await runFile(db, target.upFile)
    expectSame(
      b,
      await readCatalog(db),
      `${target.version}_${target.name}.up.sql after the down does not give what it gave the first time`,
    )
    return serverVersion(db)
  })
  const record = {server: server_, up: sha256(readFileSync(target.upFile)), down: sha256(readFileSync(target.downFile))}
  return {record, file: await writeSideRecord(migrationsDir, target.version, record)}
}

async function runFile(db: import('pg').Client, file: string): Promise<void> {
  try {
    await runStatements(db, fileStatements(file))
  } catch (error) {
    if (!(error instanceof StatementError)) throw error
    const s = error.item as FileStatement
    throw new ValidationError(`${shown(s.file)}:${s.line}: ${error.cause.message}`, {
      code: 'NSELF_VERIFY_FAILED',
      hint: 'Found on a scratch database; nothing else was touched.',
    })
  }
}

function expectSame(
  expected: Awaited<ReturnType<typeof readCatalog>>,
  actual: Awaited<ReturnType<typeof readCatalog>>,
  what: string,
): void {
  const items = compareCatalogs(expected, actual, () => true)
  if (items.length > 0) throw new ValidationError(`${what}:\n${describeDrift(items)}`, {code: 'NSELF_VERIFY_MISMATCH'})
}

function shown(path: string): string {
  return relative(process.cwd(), path) || path
}
