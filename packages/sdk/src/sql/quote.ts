/**
 * Quoting for SQL that nself builds. Every identifier is quoted (names are kept as written, and
 * PostgreSQL would fold unquoted ones to lower case), and every literal is escaped, so a default
 * such as O'Reilly or a note with a backslash reaches the database unchanged.
 */

/** A double-quoted identifier: embedded double quotes are doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** Each part quoted, joined with dots: quoteQualified('auth', 'users') is "auth"."users". */
export function quoteQualified(...parts: string[]): string {
  return parts.map(quoteIdent).join('.')
}

/** A comma-separated list of quoted identifiers: "a", "b". */
export function quoteIdentList(names: string[]): string {
  return names.map(quoteIdent).join(', ')
}

/**
 * A string literal. Single quotes are doubled. A value with a backslash or a line break uses the
 * E'' form (backslash doubled, \n and \r escaped): it means the same whatever
 * standard_conforming_strings says, and keeps every generated statement's literals on one line, so
 * a line ending in ";" always ends a statement in a generated file.
 */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''")
  if (!/[\\\n\r]/.test(value)) return `'${body}'`
  return `E'${body.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`
}

/**
 * Characters that must never be written raw into a `--` comment, a log line or a terminal: C0 and
 * C1 controls (line feed and carriage return end a SQL comment), Unicode line and paragraph
 * separators (editors break lines there), and bidirectional overrides (they make text read
 * differently from what it is).
 */
export const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u
const CONTROL_CHARACTERS_G = new RegExp(CONTROL_CHARACTERS.source, 'gu')

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

/**
 * User text made safe for one line of a SQL comment (and of a log or a message): every control
 * character is written as an escape (\n, \r, \t, \u001b, …), so the text cannot end the comment
 * and start SQL. The one escaping function for comment text.
 */
export function commentText(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS_G,
    (ch) => NAMED[ch] ?? `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  )
}
