/** What commands use: verify a planned pair, deep-validate a schema, check a hand-written pair. */
import {loadConfig} from '../config/index.js'
import {findProjectRoot, projectPaths} from '../project.js'
import type {Change} from '../diff/change.js'
import type {MigrationFile} from '../runner/files.js'
import type {SchemaModel} from '../schema/model.js'
import {VERIFY_URL_VARIABLE, type VerifyServer, verifyServer} from './server.js'
import {type Verified, verifyPair} from './verify.js'

export {recordFor, readRecords, unverifiedDownReason, type VerificationRecord} from './record.js'
export {VERIFY_URL_VARIABLE, verifyServer, type VerifyServer} from './server.js'
export type {Verified} from './verify.js'

/**
 * The verification server of the project in the working directory. NSELF_VERIFY_DATABASE_URL is
 * read from the environment or the project's .env files, like every other setting.
 */
export async function projectVerifyServer(onNotice?: (m: string) => void): Promise<VerifyServer> {
  try {
    const config = loadConfig()
    const url = config.env.get(VERIFY_URL_VARIABLE)?.value
    return await verifyServer(config.project.stateDir, url ? {[VERIFY_URL_VARIABLE]: url} : {}, onNotice)
  } catch (error) {
    if ((error as {exit?: number}).exit !== 3) throw error
    // A broken .env is reported by the commands that need the connection; verification uses the defaults.
    return verifyServer(projectPaths(findProjectRoot()).stateDir, process.env, onNotice)
  }
}

export interface PlanToVerify {
  existing: MigrationFile[]
  changes: Change[]
  to: SchemaModel
  shownSchema: string
  /** Hand-written migrations newer than the newest snapshot exist. */
  unsnapshotted: boolean
}

export async function verifyPlan(plan: PlanToVerify, onNotice?: (m: string) => void): Promise<Verified> {
  const server = await projectVerifyServer(onNotice)
  return verifyPair(server, {
    existing: plan.existing,
    changes: plan.changes,
    to: plan.to,
    schemaFile: plan.shownSchema,
    lenient: plan.unsnapshotted,
  })
}
