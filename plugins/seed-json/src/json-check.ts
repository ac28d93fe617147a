/**
 * A strict JSON checker that says where the first mistake is. Used only after JSON.parse has failed,
 * because V8's messages do not reliably give a position.
 */
export interface JsonProblem {
  /** Character offset in the text. */
  offset: number
  message: string
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

class Problem extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message)
  }
}

export function findJsonError(text: string): JsonProblem | undefined {
  try {
    let pos = value(text, skip(text, 0))
    pos = skip(text, pos)
    if (pos < text.length) throw new Problem(pos, `unexpected ${describe(text, pos)} after the value`)
    return undefined
  } catch (error) {
    if (error instanceof Problem) return {offset: error.offset, message: error.message}
    throw error
  }
}

function skip(text: string, pos: number): number {
  while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++
  return pos
}

function describe(text: string, pos: number): string {
  return pos >= text.length ? 'end of input' : JSON.stringify(text[pos])
}

/** Parse one value starting at pos (no leading whitespace); returns the offset after it. */
function value(text: string, pos: number): number {
  const c = text[pos]
  if (c === '{') return object(text, pos + 1)
  if (c === '[') return array(text, pos + 1)
  if (c === '"') return string(text, pos + 1)
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, pos)) return pos + literal.length
  NUMBER.lastIndex = pos
  if (NUMBER.test(text)) return NUMBER.lastIndex
  throw new Problem(pos, `unexpected ${describe(text, pos)}: expected a value`)
}

function object(text: string, pos: number): number {
  pos = skip(text, pos)
  if (text[pos] === '}') return pos + 1
  for (;;) {
    if (text[pos] !== '"')
      throw new Problem(pos, `unexpected ${describe(text, pos)}: expected a property name in double quotes`)
    pos = skip(text, string(text, pos + 1))
    if (text[pos] !== ':')
      throw new Problem(pos, `unexpected ${describe(text, pos)}: expected ":" after the property name`)
    pos = skip(text, value(text, skip(text, pos + 1)))
    if (text[pos] === '}') return pos + 1
    if (text[pos] !== ',')
      throw new Problem(pos, `unexpected ${describe(text, pos)}: expected "," or "}" after a property value`)
    pos = skip(text, pos + 1)
  }
}

function array(text: string, pos: number): number {
  pos = skip(text, pos)
  if (text[pos] === ']') return pos + 1
  for (;;) {
    pos = skip(text, value(text, pos))
    if (text[pos] === ']') return pos + 1
    if (text[pos] !== ',')
      throw new Problem(pos, `unexpected ${describe(text, pos)}: expected "," or "]" after an array element`)
    pos = skip(text, pos + 1)
  }
}

function string(text: string, pos: number): number {
  for (;;) {
    if (pos >= text.length) throw new Problem(pos, 'unterminated string')
    const code = text.charCodeAt(pos)
    if (code === 0x22) return pos + 1
    if (code < 0x20)
      throw new Problem(pos, 'control character (such as a raw newline or tab) inside a string: write it as \\n or \\t')
    if (code === 0x5c) {
      const next = text[pos + 1]
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6)))
          throw new Problem(pos, 'bad \\u escape: expected four hex digits')
        pos += 6
        continue
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) throw new Problem(pos, `bad escape \\${next ?? ''}`)
      pos += 2
      continue
    }
    pos++
  }
}
