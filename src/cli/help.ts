/**
 * oclif's help, plus the flags that installed plugins add to a core command (plugin-flags.ts): they
 * show in that command's --help only while the plugin is installed. Loaded only for help output.
 */
import {Help, type Command} from '@oclif/core'
import {declaredPluginFlags} from './plugin-flags.js'

export default class NselfHelp extends Help {
  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    const taken = new Set(Object.keys(command.flags ?? {}))
    const extra = declaredPluginFlags(this.config.plugins.values(), command.id, taken)
    if (extra.length === 0) return super.showCommandHelp(command)
    const flags: Record<string, Command.Flag.Cached> = {...command.flags}
    for (const f of extra) {
      const summary = `${f.description}${f.env ? ` Also ${f.env}=${f.type === 'boolean' ? 'true' : 'VALUE'}.` : ''} (plugin ${f.plugin})`
      flags[f.name] =
        f.type === 'boolean'
          ? {name: f.name, type: 'boolean', description: summary, allowNo: true, helpGroup: 'PLUGIN'}
          : {
              name: f.name,
              type: 'option',
              description: summary,
              multiple: false,
              helpGroup: 'PLUGIN',
              ...(f.options ? {options: f.options} : {}),
              helpValue: f.type === 'integer' ? '<n>' : '<value>',
            }
    }
    return super.showCommandHelp({...command, flags})
  }
}
