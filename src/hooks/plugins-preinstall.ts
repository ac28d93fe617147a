/**
 * Before `nself plugins install` runs npm: make nself's own @nself/sdk a dependency of the plugin
 * data folder, so installed plugins import this copy and npm never looks the SDK up (sdk-link.ts).
 */
import {mkdirSync} from 'node:fs'
import type {Hook} from '@oclif/core'
import {linkSdkDependency} from '../plugins/sdk-link.js'

const hook: Hook<'plugins:preinstall'> = async function () {
  mkdirSync(this.config.dataDir, {recursive: true})
  linkSdkDependency(this.config.dataDir)
}

export default hook
