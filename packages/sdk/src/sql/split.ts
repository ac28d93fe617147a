/**
 * The SQL lexer of nself and its plugins: splits a SQL file into statements the way PostgreSQL's
 * lexer sees them. Semicolons inside quotes ('…', E'…' with backslash escapes, "…"), dollar quotes
 * ($$…$$, $tag$…$tag$), comments (-- and nested /* *\/) and SQL-standard function bodies
 * (BEGIN ATOMIC … END) do not end a statement. Each statement keeps the line it starts on, so an
 * error can point into the file. It does not parse SQL: PostgreSQL checks each statement.
 *
 * psql meta-commands (\i, \set, \copy … at the start of a line) are psql's, not SQL: the server
 * would reject them with a confusing syntax error, so they are refused here with their line.
 */

export interface SqlStatement {
  /** The statement text without the trailing semicolon, comments before and after it left out. */
  sql: string
  /** 1-based line in the file where the statement's first token is. */
  line: number
  /** `-- nself:*` markers written in the comments just before the statement (e.g. "no-transaction"). */
  markers: string[]
}

/** Input that is not plain SQL; `line` is 1-based (the shape seed loaders' errors have). */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message)
    this.name = 'SqlSyntaxError'
  }
}

interface Cursor {
  text: string
  i: number
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y

export function splitSql(input: string): SqlStatement[] {
  const text = input.replace(/^\uFEFF/, '') // editors' byte order mark is not SQL
  const statements: SqlStatement[] = []
  const cur: Cursor = {text, i: 0}
  let start = -1
  let markers: string[] = []
  let atomicDepth = 0
  // End of the statement's last token: a trailing comment is left out, so the `;` a caller appends
  // when it joins statements can never land inside a `--` comment.
  let tokenEnd = 0
  const lines = {offset: 0, line: 1} // counted incrementally: files can be large
  const lineAt = (offset: number) => {
    lines.line += countNewlines(text, lines.offset, offset)
    lines.offset = offset
    return lines.line
  }
  const flush = (end: number) => {
    if (start >= 0) {
      const sql = text.slice(start, end).trim()
      if (sql) statements.push({sql, line: lineAt(start), markers})
    }
    start = -1
    markers = []
    atomicDepth = 0
  }
  while (cur.i < text.length) {
    const ch = text[cur.i]
    const next = text[cur.i + 1]
    if (ch === '-' && next === '-') {
      // As in PostgreSQL's lexer, a carriage return ends a -- comment as a line feed does.
      const end = lineEnd(text, cur.i)
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
      flush(tokenEnd)
      cur.i++
      continue
    }
    if (/\s/.test(ch)) {
      cur.i++
      continue
    }
    if (ch === '\\' && atLineStart(text, cur.i)) throw metaCommandError(text, cur.i, lineAt(cur.i))
    if (start < 0) start = cur.i
    if (ch === "'") skipQuoted(cur, "'", isEscapeString(text, cur.i))
    else if (ch === '"') skipQuoted(cur, '"', false)
    else if (ch === '$' && skipDollarQuote(cur)) {
      // dollar-quoted body skipped
    } else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) atomicDepth = readWord(cur, atomicDepth)
    else cur.i++
    tokenEnd = cur.i
  }
  flush(tokenEnd)
  return statements
}

/** Index of the next line feed or carriage return, or -1. */
function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) return i
  }
  return -1
}

function atLineStart(text: string, i: number): boolean {
  let j = i - 1
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--
  return j < 0 || text[j] === '\n' || text[j] === '\r'
}

function metaCommandError(text: string, i: number, line: number): SqlSyntaxError {
  const command = /^\\[^\s]*/.exec(text.slice(i, i + 64))![0]
  return new SqlSyntaxError(
    `${command} is a psql meta-command, not SQL: nself sends the file to the server, which cannot run it. Remove it (or write the SQL it stands for).`,
    line,
  )
}

/** E'…' strings treat backslash as an escape; the E must stand alone (not end an identifier). */
function isEscapeString(text: string, quoteAt: number): boolean {
  const prev = text[quoteAt - 1]
  return (prev === 'E' || prev === 'e') && !IDENT_CHAR.test(text[quoteAt - 2] ?? '')
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

/**
 * $tag$ … $tag$. Returns false when the $ starts no dollar quote: a $1 parameter, or a $ inside an
 * identifier (a$b$ is one name).
 */
function skipDollarQuote(cur: Cursor): boolean {
  if (cur.i > 0 && IDENT_CHAR.test(cur.text[cur.i - 1])) return false
  DOLLAR_TAG.lastIndex = cur.i
  const match = DOLLAR_TAG.exec(cur.text)
  if (!match) return false
  const tag = match[0]
  const end = cur.text.indexOf(tag, cur.i + tag.length)
  cur.i = end === -1 ? cur.text.length : end + tag.length
  return true
}

/**
 * Reads one keyword or identifier (with its $ signs: a$b$ is one name). Inside CREATE FUNCTION …
 * BEGIN ATOMIC … END the body holds semicolons, so the depth counts BEGIN ATOMIC/CASE openers
 * against END.
 */
function readWord(cur: Cursor, depth: number): number {
  const match = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(cur.text.slice(cur.i, cur.i + 128))!
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
