/**
 * Defaults that cannot fit their column: PostgreSQL only finds out when the CREATE TABLE (or the
 * first INSERT) runs, DBML never. Expressions (backtick defaults) are left alone.
 */
import {defaultText, type ColumnModel, type DefaultValue, type EnumModel} from '../schema/model.js'
import {
  INTEGER_TYPES,
  NUMERIC_TYPES,
  STRING_TYPES,
  TEMPORAL_TYPES,
  canonicalTypeName,
  formatType,
} from '../schema/types.js'
import {type Check, type Diagnostic, plural, qualified} from './diagnostic.js'
import {enumOf} from './types.js'

export const defaultsCheck: Check = {
  name: 'defaults',
  run(ctx) {
    const diagnostics: Diagnostic[] = []
    let count = 0
    for (const table of ctx.parsed.model.tables) {
      for (const column of table.columns) {
        if (!column.default) continue
        count++
        const problem = defaultProblem(column, enumOf(ctx, column))
        if (!problem) continue
        const where = `${qualified(table.schema, table.name)}.${column.name}`
        diagnostics.push(
          ctx.at(
            column.loc,
            problem.severity,
            'default-type',
            `default ${defaultText(column.default, true)} of ${where}: ${problem.message}`,
          ),
        )
      }
    }
    return {diagnostics, looked: `${plural(count, 'column default')} against their types and enum values`}
  },
}

const RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
}
const BOOLEAN_WORDS = new Set(['t', 'true', 'y', 'yes', 'on', '1', 'f', 'false', 'n', 'no', 'off', '0'])
const TIME_WORDS = new Set(['now', 'today', 'tomorrow', 'yesterday', 'infinity', '-infinity', 'epoch', 'allballs'])
const UUID = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i

type Problem = {severity: 'error' | 'warning'; message: string} | undefined
const error = (message: string): Problem => ({severity: 'error', message})

/** Why this default does not fit the column, or undefined when it does (or cannot be judged). */
export function defaultProblem(column: ColumnModel, enumModel?: EnumModel): Problem {
  const d = column.default
  if (!d || d.kind === 'expression') return undefined
  if (d.kind === 'null')
    return column.notNull
      ? {severity: 'warning', message: 'the column is NOT NULL, so every insert must give a value'}
      : undefined
  const type = canonicalTypeName(column.type.name)
  const typeText = formatType(column.type)
  if (column.type.arrayDims > 0) {
    return d.kind === 'string' && d.value.trim().startsWith('{')
      ? undefined
      : error(
          `an array column takes an array literal such as '{}', not ${d.kind === 'string' ? 'a plain string' : `a ${d.kind}`}`,
        )
  }
  if (enumModel) return enumDefault(d, enumModel)
  if (!type) return undefined
  if (d.kind === 'boolean')
    return type === 'boolean' ? undefined : error(`a boolean default does not fit type ${typeText}`)
  if (d.kind === 'number') return numberDefault(d.value, type, typeText)
  return stringDefault(d.value, type, column.type.args, typeText)
}

function enumDefault(d: Exclude<DefaultValue, {kind: 'expression' | 'null'}>, e: EnumModel): Problem {
  const value = String(d.value)
  if (d.kind === 'string' && e.values.includes(value)) return undefined
  return error(`'${value}' is not a value of enum ${qualified(e.schema, e.name)} (${e.values.join(', ')})`)
}

function numberDefault(value: string, type: string, typeText: string): Problem {
  if (STRING_TYPES.has(type)) return undefined // PostgreSQL casts a number to text on assignment
  if (!NUMERIC_TYPES.has(type)) return error(`a number does not fit type ${typeText}`)
  return INTEGER_TYPES.has(type) ? integerProblem(value, type) : undefined
}

function integerProblem(value: string, type: string): Problem {
  const text = value.trim()
  if (!/^[+-]?\d+$/.test(text)) return error(`'${text}' is not an integer`)
  const base =
    ({smallserial: 'smallint', serial: 'integer', bigserial: 'bigint'} as Record<string, string>)[type] ?? type
  const [min, max] = RANGES[base]
  const n = BigInt(text)
  return n < min || n > max ? error(`${text} is out of range for ${base}`) : undefined
}

function stringDefault(value: string, type: string, args: string[], typeText: string): Problem {
  if (INTEGER_TYPES.has(type)) return integerProblem(value, type)
  if (NUMERIC_TYPES.has(type)) {
    const ok = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) || /^\s*[+-]?(nan|infinity)\s*$/i.test(value)
    return ok ? undefined : error(`'${value}' is not a number (type ${typeText})`)
  }
  if (type === 'boolean')
    return BOOLEAN_WORDS.has(value.trim().toLowerCase()) ? undefined : error(`'${value}' is not a boolean`)
  if (type === 'uuid') return UUID.test(value.trim()) ? undefined : error(`'${value}' is not a uuid`)
  if (type === 'json' || type === 'jsonb') return isJson(value) ? undefined : error(`'${value}' is not valid JSON`)
  if (TEMPORAL_TYPES.has(type) && type !== 'interval') {
    return /\d/.test(value) || TIME_WORDS.has(value.trim().toLowerCase())
      ? undefined
      : error(`'${value}' is not a ${type}`)
  }
  // char without a length is char(1), as in PostgreSQL.
  const max = args.length > 0 ? Number(args[0]) : type === 'character' ? 1 : NaN
  if ((type === 'character varying' || type === 'character') && Number.isInteger(max) && [...value].length > max) {
    return error(`'${value}' is longer than ${max} characters`)
  }
  return undefined
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
