/**
 * Keeps secrets out of every line nself prints or logs. Config loading registers each secret
 * (passwords, the password part of DATABASE_URL); output paths run text through redact().
 */
const secrets = new Set<string>()

export function registerSecret(secret: string | undefined): void {
  // Very short values would mask ordinary words; they are not real passwords anyway.
  if (secret && secret.length >= 4) secrets.add(secret)
}

export function redact(text: string): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join('********')
  // postgres://user:pass@host → postgres://user:********@host, even for unregistered ones.
  return out.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1********@')
}
