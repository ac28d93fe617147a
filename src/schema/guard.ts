/**
 * Limits for hostile or broken input, checked before the DBML compiler sees it. The compiler reports
 * every error of a file, which on megabytes of noise means minutes, gigabytes and a million errors;
 * a schema is text a person wrote, so the first problems (with their positions) are what helps.
 */

/** Files larger than this that the fast path cannot read are probed on their first part first. */
export const PROBE_CHARS = 1_000_000
/** At most this many parser errors are reported: past it the file has stopped being DBML. */
export const MAX_SYNTAX_ERRORS = 200

/**
 * The first character a DBML file never holds: a control character other than tab and line breaks,
 * or U+FFFD, what invalid UTF-8 becomes when read (binary data, a wrong encoding).
 */
export function firstForeignCharacter(source: string): {offset: number; what: string} | undefined {
  // eslint-disable-next-line no-control-regex
  const match = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/.exec(source)
  if (!match) return undefined
  const code = match[0].charCodeAt(0)
  const what =
    code === 0xfffd
      ? 'bytes that are not valid UTF-8'
      : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return {offset: match.index, what}
}

export interface TopLevel {
  /** Offsets where a top-level element ends (a line break at brace depth 0), up to the limit. */
  boundaries: number[]
  /** Offset of the outermost `{` still open at the limit, when there is one. */
  openAt?: number
}

/**
 * Where top-level elements end in the first `limit` characters, by brace depth outside strings and
 * comments. A heuristic for cutting the file, never for judging it: the compiler does that.
 */
export function topLevelBoundaries(source: string, limit: number): TopLevel {
  const boundaries: number[] = []
  let depth = 0
  let openAt: number | undefined
  const end = Math.min(limit, source.length)
  for (let i = 0; i < end; i++) {
    const c = source[i]
    if (c === '/' && source[i + 1] === '/') i = lineEnd(source, i) - 1
    else if (c === '/' && source[i + 1] === '*') i = after(source, '*/', i + 2) - 1
    else if (c === "'" && source.startsWith("'''", i)) i = after(source, "'''", i + 3) - 1
    else if (c === "'" || c === '"' || c === '`') i = closingQuote(source, c, i + 1)
    else if (c === '{') {
      if (depth === 0) openAt = i
      depth++
    } else if (c === '}' && depth > 0) depth--
    else if (c === '\n' && depth === 0) boundaries.push(i)
  }
  return depth > 0 ? {boundaries, openAt} : {boundaries}
}

function lineEnd(source: string, from: number): number {
  const i = source.indexOf('\n', from)
  return i === -1 ? source.length : i
}

function after(source: string, token: string, from: number): number {
  const i = source.indexOf(token, from)
  return i === -1 ? source.length : i + token.length
}

/** Offset of the closing quote of a one-line string (or the line's end when it has none). */
function closingQuote(source: string, quote: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') i++
    else if (c === quote) return i
    else if (c === '\n' && quote !== '`') return i - 1
  }
  return source.length
}
