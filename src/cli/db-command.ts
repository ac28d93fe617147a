/**
 * Base for commands that read the project's configuration and talk to its database.
 * It loads the config once, opens connections (starting the embedded server on demand and
 * saying so on stderr), and closes them at the end.
 */
import type {Client} from 'pg'
import {BaseCommand} from '@nself/sdk'
import {loadConfig, type NselfConfig} from '../config/index.js'
import {openClient, type OpenOptions} from '../db/connect.js'

export abstract class DbCommand extends BaseCommand {
  private loadedConfig?: NselfConfig
  private clients: Client[] = []

  protected get nself(): NselfConfig {
    this.loadedConfig ??= loadConfig()
    return this.loadedConfig
  }

  /** A connected client, closed automatically when the command ends. */
  protected async connect(options: OpenOptions = {}): Promise<Client> {
    const client = await openClient(this.nself, {
      applicationName: `nself ${this.id ?? ''}`.trim(),
      onNotice: (message) => this.notice(message),
      ...options,
    })
    this.clients.push(client)
    return client
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    await Promise.all(this.clients.map((c) => c.end().catch(() => {})))
    return super.finally(error)
  }
}
