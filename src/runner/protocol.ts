/**
 * The one place nself reads node-postgres below its public API. runTransactions sends many
 * transactions in one simple-query message and needs to know as each command completes (each
 * COMMIT is a migration in), which pg's public API reports only when the whole message is done.
 * pg's Client keeps its protocol connection, an EventEmitter of backend messages, in the
 * undocumented `connection` property. test/runner/protocol.test.ts fails loudly if pg changes it.
 */
import type {Client} from 'pg'

export interface ProtocolListeners {
  /** A CommandComplete message: one statement of the message finished. */
  commandComplete(): void
  /** A DataRow message: its fields as text (null for SQL NULL). */
  dataRow(fields: (string | null)[]): void
}

interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
}

/** Listens to the protocol messages of the client's connection; returns the function that stops listening. */
export function listenToProtocol(client: Client, listeners: ProtocolListeners): () => void {
  const connection = (client as unknown as {connection?: Emitter}).connection
  if (typeof connection?.on !== 'function' || typeof connection.off !== 'function') {
    throw new Error(
      "node-postgres no longer exposes Client.connection as an event emitter: nself's progress reporting needs updating for this pg version",
    )
  }
  const onComplete = () => listeners.commandComplete()
  const onRow = (msg: {fields: (string | null)[]}) => listeners.dataRow(msg.fields)
  connection.on('commandComplete', onComplete)
  connection.on('dataRow', onRow)
  return () => {
    connection.off('commandComplete', onComplete)
    connection.off('dataRow', onRow)
  }
}
