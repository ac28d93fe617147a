/**
 * What the plugin needs of nself's schema tools — the same parser, validator and differ as
 * `nself db validate` and `nself db run` — asked through @nself/sdk's loadProject, which fires the
 * `loadProject` hook nself answers: the plugin never imports nself's own code.
 */
import type {Interfaces} from '@oclif/core'
import {ValidationError} from '@nself/sdk/errors'
import type {SchemaDiagnostic} from '@nself/sdk/hooks'
import {loadProject} from '@nself/sdk/project'

export interface SchemaTools {
  /** Parses and validates DBML; errors (every one, located) make a ValidationError. The warnings come back rendered. */
  check(source: string, shown: string): Promise<{warnings: string[]}>
  /** The schema changes from one DBML text to another, one line each; undefined when `from` does not parse. */
  changes(from: string | undefined, to: string, shown: string): Promise<string[] | undefined>
}

type Config = Pick<Interfaces.Config, 'runHook'>

export function schemaTools(config: Config): SchemaTools {
  return {
    async check(source, shown) {
      const {schema} = await loadProject(config as Interfaces.Config, {validate: true, source, file: shown})
      const diagnostics = schema?.diagnostics ?? []
      const errors = diagnostics.filter((d) => d.severity === 'error')
      if (errors.length > 0) {
        const lines = errors.map((d) => render(shown, d)).join('\n')
        throw new ValidationError(
          `${shown} is not valid DBML for nself (${errors.length} error${errors.length === 1 ? '' : 's'}); nothing was written:\n${lines}`,
          {code: 'NSELF_SCHEMA_INVALID'},
        )
      }
      return {warnings: diagnostics.filter((d) => d.severity !== 'error').map((d) => render(shown, d))}
    },
    async changes(from, to, shown) {
      const {schema} = await loadProject(config as Interfaces.Config, {
        source: to,
        file: shown,
        changesFrom: from ?? '',
      })
      return schema?.changes?.map((c) => `${c.destructive ? '!' : ' '} ${c.summary}`)
    },
  }
}

/** As `nself db validate` prints a diagnostic. */
function render(file: string, d: SchemaDiagnostic): string {
  const head = `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message} (${d.rule})`
  return d.hint ? `${head}\n  Solution: ${d.hint}` : head
}
