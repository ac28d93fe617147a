/**
 * Deterministic constraint and index names, spelled the way PostgreSQL names them when no name is
 * given (`users_pkey`, `users_email_key`, `posts_author_id_fkey`, `posts_is_published_idx`,
 * `users_age_check`), so migrations and down migrations can refer to them by name.
 */
/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
export const MAX_IDENTIFIER_BYTES = 63

export function byteLength(name: string): number {
  return Buffer.byteLength(name, 'utf8')
}

/**
 * Fits a name into 63 bytes. PostgreSQL would truncate silently (and two long names can then collide),
 * so a long name is cut and given 8 hex digits of a hash of the full name: stable and distinct.
 */
export function fitIdentifier(name: string): string {
  if (byteLength(name) <= MAX_IDENTIFIER_BYTES) return name
  const hash = fnv1a(name)
  let cut = name
  // Cut by characters until the bytes fit, so a multi-byte character is never split.
  while (byteLength(cut) + 1 + hash.length > MAX_IDENTIFIER_BYTES) cut = cut.slice(0, -1)
  return `${cut.replace(/_+$/, '')}_${hash}`
}

/**
 * FNV-1a (32 bit) of the UTF-8 bytes, as 8 hex digits: enough to tell long names apart, stable
 * across Node versions, and it spares loading node:crypto on every validate (startup budget).
 */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}

export type NameKind = 'pkey' | 'key' | 'idx' | 'fkey' | 'check'

/** `<table>_<parts>_<kind>`, e.g. constraintName('posts', ['author_id'], 'fkey') → posts_author_id_fkey. */
export function constraintName(table: string, parts: string[], kind: NameKind): string {
  const middle = kind === 'pkey' || parts.length === 0 ? '' : `_${parts.join('_')}`
  return fitIdentifier(`${table}${middle}_${kind}`)
}

/**
 * The word PostgreSQL uses for an index expression: the function name for `lower(title)`, else "expr".
 */
export function expressionLabel(sql: string): string {
  const m = /^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*\(/.exec(sql)
  return m ? m[1].toLowerCase() : 'expr'
}

/**
 * Hands out names unique within one namespace, as PostgreSQL does (`x_idx`, `x_idx1`, `x_idx2`),
 * comparing case-insensitively because unquoted names fold to lower case.
 */
export class NameRegistry {
  private readonly taken = new Set<string>()

  /** Reserves a name as is (an explicit name, or a table name). False when it was already taken. */
  reserve(name: string): boolean {
    const key = name.toLowerCase()
    if (this.taken.has(key)) return false
    this.taken.add(key)
    return true
  }

  has(name: string): boolean {
    return this.taken.has(name.toLowerCase())
  }

  /** The name itself, or the first free `name1`, `name2` … (each fitted into 63 bytes). */
  unique(name: string): string {
    if (this.reserve(name)) return name
    for (let i = 1; ; i++) {
      const candidate = fitWithSuffix(name, String(i))
      if (this.reserve(candidate)) return candidate
    }
  }
}

function fitWithSuffix(name: string, suffix: string): string {
  let base = name
  while (byteLength(base + suffix) > MAX_IDENTIFIER_BYTES) base = base.slice(0, -1)
  return base + suffix
}
