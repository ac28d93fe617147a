/**
 * Splits a SQL file into statements the way PostgreSQL's lexer sees them: semicolons inside
 * quotes ('…', E'…', "…"), dollar quotes ($$…$$, $tag$…$tag$), comments (-- and nested /* *\/)
 * and SQL-standard function bodies (BEGIN ATOMIC … END) do not end a statement.
 * Each statement keeps the line it starts on, so an error can point into the file.
 */

export interface SqlStatement {
  /** The statement text without the trailing semicolon, comments before it stripped. */
  sql: string
  /** 1-based line in the file where the statement's first token is. */
  line: number
  /** `-- nself:*` markers written in the comments just before the statement (e.g. "no-transaction"). */
  markers: string[]
}

interface Cursor {
  text: string
  i: number
}

export function splitSql(text: string): SqlStatement[] {
  const statements: SqlStatement[] = []
  const cur: Cursor = {text, i: 0}
  let start = -1
  let markers: string[] = []
  let atomicDepth = 0
  const lines = {offset: 0, line: 1} // counted incrementally: files can be large
  const flush = (end: number) => {
    if (start >= 0) {
      const sql = text.slice(start, end).trim()
      if (sql) {
        lines.line += countNewlines(text, lines.offset, start)
        lines.offset = start
        statements.push({sql, line: lines.line, markers})
      }
    }
    start = -1
    markers = []
    atomicDepth = 0
  }
  while (cur.i < text.length) {
    const ch = text[cur.i]
    const next = text[cur.i + 1]
    if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', cur.i)
      const comment = text.slice(cur.i, end === -1 ? text.length : end)
      const marker = /^--\s*nself:([a-z-]+)/.exec(comment)
      if (marker && start < 0) markers.push(marker[1])
      cur.i = end === -1 ? text.length : end + 1
      continue
    }
    if (ch === '/' && next === '*') {
      skipBlockComment(cur)
      continue
    }
    if (ch === ';' && atomicDepth === 0) {
      flush(cur.i)
      cur.i++
      continue
    }
    if (/\s/.test(ch)) {
      cur.i++
      continue
    }
    if (start < 0) start = cur.i
    if (ch === "'") skipQuoted(cur, "'", isEscapeString(text, cur.i))
    else if (ch === '"') skipQuoted(cur, '"', false)
    else if (ch === '$' && skipDollarQuote(cur)) continue
    else if (/[A-Za-z_]/.test(ch)) atomicDepth = readWord(cur, atomicDepth)
    else cur.i++
  }
  flush(text.length)
  return statements
}

/** E'…' strings treat backslash as an escape; a quote after a word character is part of E'…' only for E/e. */
function isEscapeString(text: string, quoteAt: number): boolean {
  const prev = text[quoteAt - 1]
  return (prev === 'E' || prev === 'e') && !/[A-Za-z0-9_]/.test(text[quoteAt - 2] ?? '')
}

function skipQuoted(cur: Cursor, quote: string, backslashEscapes: boolean): void {
  cur.i++
  while (cur.i < cur.text.length) {
    const ch = cur.text[cur.i]
    if (backslashEscapes && ch === '\\') {
      cur.i += 2
      continue
    }
    if (ch === quote) {
      if (cur.text[cur.i + 1] === quote) {
        cur.i += 2 // doubled quote inside the literal
        continue
      }
      cur.i++
      return
    }
    cur.i++
  }
}

/** Nested block comments, as PostgreSQL allows. */
function skipBlockComment(cur: Cursor): void {
  let depth = 0
  while (cur.i < cur.text.length) {
    if (cur.text.startsWith('/*', cur.i)) {
      depth++
      cur.i += 2
    } else if (cur.text.startsWith('*/', cur.i)) {
      depth--
      cur.i += 2
      if (depth === 0) return
    } else cur.i++
  }
}

/** $tag$ … $tag$. Returns false when the $ starts no dollar quote (e.g. a $1 parameter). */
function skipDollarQuote(cur: Cursor): boolean {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(cur.text.slice(cur.i, cur.i + 64))
  if (!match) return false
  const tag = match[0]
  const end = cur.text.indexOf(tag, cur.i + tag.length)
  cur.i = end === -1 ? cur.text.length : end + tag.length
  return true
}

/**
 * Reads one keyword or identifier. Inside CREATE FUNCTION … BEGIN ATOMIC … END the body holds
 * semicolons, so the depth counts BEGIN ATOMIC/CASE openers against END.
 */
function readWord(cur: Cursor, depth: number): number {
  const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(cur.text.slice(cur.i, cur.i + 128))!
  const word = match[0].toUpperCase()
  cur.i += match[0].length
  if (word === 'BEGIN' && /^\s+ATOMIC\b/i.test(cur.text.slice(cur.i, cur.i + 32))) return depth + 1
  if (depth > 0 && word === 'CASE') return depth + 1
  if (depth > 0 && word === 'END') return depth - 1
  return depth
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++
  return n
}
