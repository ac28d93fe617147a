/**
 * Scratch databases: a throwaway database on the same server, for building a schema for real
 * (drift compares the live database with one built from the migrations' snapshot). Needs CREATEDB.
 */
import type {Client} from 'pg'
import {quoteIdent} from '@nself/sdk/sql'

/** Opens a connection to another database of the same server. */
export type ConnectTo = (database: string) => Promise<Client>

/**
 * Creates a database named nself_<purpose>_…, runs fn connected to it, and drops it afterwards
 * (WITH FORCE: a connection left open by fn must not keep it alive), whatever fn did.
 */
export async function withScratchDatabase<T>(admin: Client, connectTo: ConnectTo, purpose: string, fn: (scratch: Client) => Promise<T>): Promise<T> {
  const name = `nself_${purpose}_${process.pid}_${Date.now().toString(36)}`
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`)
  try {
    const scratch = await connectTo(name)
    try {
      return await fn(scratch)
    } finally {
      await scratch.end().catch(() => undefined)
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
  }
}
