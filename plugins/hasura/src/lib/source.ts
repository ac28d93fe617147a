/**
 * The DBML source as text: where each Table block starts and ends, and every `//` comment with its
 * position. The DBML parser drops comments, so `// hasura:` annotations are read from here. Strings
 * (quoted, triple-quoted, backticked) are skipped, so a `//` or a brace inside one is never taken for
 * a comment or a block edge.
 */
import type {SchemaTableView} from '@nself/sdk/hooks'

export interface Comment {
  /** Text after the `//`. */
  text: string
  /** Position of the first character of `text` (1-based). */
  line: number
  column: number
  offset: number
}

export interface Block {
  table: SchemaTableView
  /** Offsets of the `{` and the matching `}`. */
  start: number
  end: number
}

interface Scan {
  comments: Comment[]
  /** Offsets of `{` and `}` outside strings and comments, in order, with +1 / -1. */
  braces: Array<{offset: number; delta: 1 | -1}>
  /** Offset of the first character of each line. */
  lineStarts: number[]
}

export function scanSource(source: string): Scan {
  const comments: Comment[] = []
  const braces: Scan['braces'] = []
  const lineStarts = [0]
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1)
  const position = (offset: number) => {
    const line = upperBound(lineStarts, offset)
    return {line, column: offset - lineStarts[line - 1] + 1}
  }
  let i = 0
  while (i < source.length) {
    const c = source[i]
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i)
      const stop = end === -1 ? source.length : end
      comments.push({text: source.slice(i + 2, stop).replace(/\r$/, ''), offset: i + 2, ...position(i + 2)})
      i = stop
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2)
      i = end === -1 ? source.length : end + 2
    } else if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3)
      i = end === -1 ? source.length : end + 3
    } else if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(source, i, c)
    } else {
      if (c === '{') braces.push({offset: i, delta: 1})
      else if (c === '}') braces.push({offset: i, delta: -1})
      i++
    }
  }
  return {comments, braces, lineStarts}
}

function skipQuoted(source: string, start: number, quote: string): number {
  let i = start + 1
  while (i < source.length && source[i] !== quote) {
    if (source[i] === '\\' && quote !== '`') i++
    if (source[i] === '\n' && quote !== '`') return i // an unterminated string ends at the line end
    i++
  }
  return i + 1
}

/** Number of elements <= value in a sorted array (the 1-based line of an offset). */
function upperBound(sorted: number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The `{ … }` block of each table, from its `Table` keyword's position in the model. */
export function tableBlocks(scan: Scan, tables: SchemaTableView[]): Block[] {
  const blocks: Block[] = []
  for (const table of tables) {
    if (!table.loc || table.generated) continue
    const from = scan.lineStarts[table.loc.line - 1] + table.loc.column - 1
    const open = scan.braces.findIndex((b) => b.delta === 1 && b.offset >= from)
    if (open === -1) continue
    let depth = 0
    for (let k = open; k < scan.braces.length; k++) {
      depth += scan.braces[k].delta
      if (depth === 0) {
        blocks.push({table, start: scan.braces[open].offset, end: scan.braces[k].offset})
        break
      }
    }
  }
  return blocks
}
