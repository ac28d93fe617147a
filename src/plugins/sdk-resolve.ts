/**
 * A Node module resolve hook (module.register) that makes `import … from '@nself/sdk'` (and its
 * subpaths) in any plugin resolve as if the running nself imported it: to nself's own copy. bin/run.js
 * registers it only while a plugin is linked (`nself plugins link`): a hook thread costs start-up time,
 * and installed plugins find nself's copy without it (see sdk-link.ts). Node built-ins only.
 */
type ResolveContext = {parentURL?: string; conditions?: string[]}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<unknown>

let cliURL: string | undefined

export async function initialize(data: {parentURL: string}): Promise<void> {
  cliURL = data.parentURL
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<unknown> {
  if (cliURL && (specifier === '@nself/sdk' || specifier.startsWith('@nself/sdk/')))
    return next(specifier, {...context, parentURL: cliURL})
  return next(specifier, context)
}
