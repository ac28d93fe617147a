/**
 * `a.x <> b.y` makes a junction table `a_b` (as dbml does). When the schema already has a table of
 * that name, the two would be one table: an error, with the usual fix of declaring the junction.
 */
import {type Check, type Diagnostic, plural, shown} from './diagnostic.js'

export const junctionsCheck: Check = {
  name: 'many-to-many',
  run(ctx) {
    const {junctions} = ctx.parsed.declared
    const diagnostics: Diagnostic[] = []
    for (const j of junctions) {
      if (!j.collides) continue
      const existing = ctx.parsed.model.tables.find(
        (t) => t.schema === j.schema && t.name.toLowerCase() === j.name.toLowerCase(),
      )
      const where = existing?.loc ? ` (line ${existing.loc.line})` : ''
      diagnostics.push(
        ctx.at(
          j.loc,
          'error',
          'junction-collision',
          `many-to-many ref ${shown(j.left)} <> ${shown(j.right)} generates junction table '${j.name}', but a table of that name already exists${where}`,
          `declare the junction table yourself with two many-to-one refs, or rename table '${j.name}'`,
        ),
      )
    }
    return {diagnostics, looked: `${plural(junctions.length, 'many-to-many ref')} for junction-table name collisions`}
  },
}
