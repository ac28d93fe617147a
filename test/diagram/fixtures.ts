/** Schemas the diagram tests draw. */
import {readFileSync} from 'node:fs'

export const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')

/**
 * The e-commerce fixture refers to `brands` and `customers` without declaring them (the validate
 * tests rely on that); nothing can be drawn from a schema that does not compile, so the diagram
 * tests declare the two tables.
 */
export const ecommerce = (): string =>
  `${fixture('ecommerce.dbml')}\nTable brands {\n  id uuid [pk]\n  name text [not null]\n}\n\nTable customers {\n  id uuid [pk]\n  email text [unique, not null]\n}\n`

/** Names and notes that would run script if anything reached the page unescaped. */
export const HOSTILE = `Table "</script><img src=x onerror=alert(1)>" [headercolor: #ff0000] {
  id int [pk, note: '<script>alert(2)</script>']
  "a&b\\"c" text
  Note: 'evil </svg><script>alert(3)</script>'
}

Table users {
  id int [pk]
  evil_id int [ref: > "</script><img src=x onerror=alert(1)>".id]
}

TableGroup "g<b>x" [color: #00ff00] {
  users
}
`
