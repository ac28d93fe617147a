/**
 * Numbers a JavaScript number cannot hold exactly (integers beyond 2^53, more than 15 significant
 * digits, beyond the range of a double) keep the text of the file: JSON.parse would round
 * 9007199254740993 to …992 without a word. Such a number becomes a BigInt (an integer) or its text
 * as written (anything else), which nself writes to PostgreSQL digit for digit (a string is
 * PostgreSQL input text). Rows without such numbers are left exactly as JSON.parse made them.
 */

/** On a row (not enumerable): the keys whose values held numbers carried as written, and how many. */
export const EXACT_NUMBERS = Symbol.for('nself.exactNumbers')

export interface ExactNumbers {
  count: number
  keys: string[]
}

/** A cheap native pre-check: text with no 16-digit run and no 3-digit exponent has no such number. */
const MAYBE = /\d[\d.]{15}|[eE][+-]?\d{3}/
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const MARK = '\u0000nself-number:'

export function mayHoldInexactNumbers(text: string): boolean {
  return MAYBE.test(text)
}

/** Whether Number(token) differs from the number the token writes. */
export function isInexact(token: string): boolean {
  const value = Number(token)
  if (!Number.isFinite(value)) return true
  if (!/[.eE]/.test(token)) return !Number.isSafeInteger(value)
  const digits = token
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '')
  if (value === 0) return digits.length > 0 // too small: it would become 0
  return digits.length > 15 // a double keeps 15 significant decimal digits exactly
}

/**
 * One element's JSON text parsed with its inexact numbers carried as written; undefined when it has
 * none (then JSON.parse's result stands).
 */
export function parseExact(text: string): Record<string, unknown> | undefined {
  let out = ''
  let from = 0
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      i = stringEnd(text, i)
      continue
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue
    NUMBER.lastIndex = i
    const token = NUMBER.exec(text)?.[0]
    if (!token) continue
    if (isInexact(token)) {
      out += text.slice(from, i) + JSON.stringify(MARK + token)
      from = i + token.length
      count++
    }
    i += token.length - 1
  }
  if (count === 0) return undefined
  const row = JSON.parse(out + text.slice(from)) as Record<string, unknown>
  const keys: string[] = []
  for (const key of Object.keys(row)) {
    const found = {count: 0}
    row[key] = restore(row[key], found)
    if (found.count > 0) keys.push(key)
  }
  Object.defineProperty(row, EXACT_NUMBERS, {value: {count, keys} satisfies ExactNumbers})
  return row
}

function restore(value: unknown, found: {count: number}): unknown {
  if (typeof value === 'string') {
    if (!value.startsWith(MARK)) return value
    found.count++
    const token = value.slice(MARK.length)
    return /^-?\d+$/.test(token) ? BigInt(token) : token
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restore(value[i], found)
  } else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>
    for (const key of Object.keys(object)) object[key] = restore(object[key], found)
  }
  return value
}

/** Index of the quote closing the string that opens at `open`. */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x22) return i
  }
  return text.length
}
