/**
 * Splits a SQL file into statements at top-level semicolons, with the line each statement starts on.
 * It understands what can hide a semicolon: 'strings' (with '' escapes), E'strings' (with \' escapes),
 * "identifiers", $tag$dollar-quoted bodies$tag$, -- line comments and nested /* block comments *\/.
 * It does not parse SQL: PostgreSQL checks each statement.
 */
import type {SeedStatement} from '@nself/sdk/hooks'

const IDENT_CHAR = /[A-Za-z0-9_$]/
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y

export function splitSql(text: string): SeedStatement[] {
  const statements: SeedStatement[] = []
  let start = -1 // offset of the first significant character of the current statement
  let startLine = 1
  let line = 1
  let i = 0
  const finish = (end: number) => {
    if (start >= 0) statements.push({sql: text.slice(start, end).trim(), line: startLine})
    start = -1
  }
  while (i < text.length) {
    const c = text[i]
    if (c === '\n') {
      line++
      i++
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
      continue
    }
    const skipped = skipToken(text, i)
    if (skipped.kind !== 'comment' && start < 0 && c !== ';') {
      start = i
      startLine = line
    }
    if (c === ';' && skipped.kind === 'char') finish(i + 1)
    line += countNewlines(text, i, skipped.end)
    i = skipped.end
  }
  finish(text.length)
  return statements.filter((s) => s.sql !== ';' && s.sql !== '')
}

type Token = {kind: 'comment' | 'quoted' | 'char'; end: number}

/** The token at i: a comment, a quoted thing (skipped whole), or one ordinary character. */
function skipToken(text: string, i: number): Token {
  const c = text[i]
  const next = text[i + 1]
  if (c === '-' && next === '-') {
    const end = text.indexOf('\n', i)
    return {kind: 'comment', end: end < 0 ? text.length : end}
  }
  if (c === '/' && next === '*') return {kind: 'comment', end: blockCommentEnd(text, i)}
  if (c === "'") return {kind: 'quoted', end: quotedEnd(text, i + 1, "'", isEscapeString(text, i))}
  if (c === '"') return {kind: 'quoted', end: quotedEnd(text, i + 1, '"', false)}
  if (c === '$' && !(i > 0 && IDENT_CHAR.test(text[i - 1]))) {
    DOLLAR_TAG.lastIndex = i
    const tag = DOLLAR_TAG.exec(text)
    if (tag) {
      const close = text.indexOf(tag[0], i + tag[0].length)
      return {kind: 'quoted', end: close < 0 ? text.length : close + tag[0].length}
    }
  }
  return {kind: 'char', end: i + 1}
}

/** E'…' strings take backslash escapes: the E must stand alone (not end an identifier). */
function isEscapeString(text: string, quote: number): boolean {
  const prefix = text[quote - 1]
  return (prefix === 'E' || prefix === 'e') && !(quote > 1 && IDENT_CHAR.test(text[quote - 2]))
}

function quotedEnd(text: string, i: number, quote: string, backslashEscapes: boolean): number {
  while (i < text.length) {
    const c = text[i]
    if (backslashEscapes && c === '\\') i += 2
    else if (c === quote && text[i + 1] === quote) i += 2 // doubled quote inside
    else if (c === quote) return i + 1
    else i++
  }
  return text.length
}

/** Block comments nest in PostgreSQL. */
function blockCommentEnd(text: string, i: number): number {
  let depth = 0
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++
      i += 2
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--
      i += 2
      if (depth === 0) return i
    } else i++
  }
  return text.length
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++
  return n
}
