import {Args} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {ValidationError} from '@nself/sdk/errors'
import {EXACT_NUMBERS, type ExactNumbers} from '../../../exact-numbers.js'
import {readJsonArray} from '../../../json-array.js'

export default class SeedLint extends BaseCommand<typeof SeedLint> {
  static override summary = 'Check a JSON seed file without touching the database: an array of objects, well-formed.'
  static override description =
    'Streams the file (constant memory) and reports the first mistake with its byte offset, line and row.'
  static override examples = ['<%= config.bin %> <%= command.id %> database/seeds/development/users.json']
  static override enableJsonFlag = true
  static override args = {file: Args.string({description: 'The JSON seed file.', required: true})}

  async run(): Promise<{file: string; rows: number; columns: string[]; exactNumbers: number}> {
    const columns = new Set<string>()
    let rows = 0
    let exactNumbers = 0
    const where: string[] = []
    try {
      for await (const row of readJsonArray(this.args.file)) {
        rows++
        for (const key of Object.keys(row)) columns.add(key)
        const exact = (row as {[EXACT_NUMBERS]?: ExactNumbers})[EXACT_NUMBERS]
        if (!exact) continue
        exactNumbers += exact.count
        if (where.length < 3) where.push(`row ${rows}: ${exact.keys.join(', ')}`)
      }
    } catch (error) {
      const row = (error as {row?: number}).row
      throw new ValidationError(`${this.args.file}${row ? ` row ${row}` : ''}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    this.log(`${this.args.file}: ${rows} rows; columns: ${[...columns].join(', ') || '(none)'}`)
    // Not a problem (they reach PostgreSQL exactly), but other JSON tools would round them.
    if (exactNumbers > 0)
      this.log(
        `${exactNumbers} numbers beyond what JavaScript holds exactly (${where.join('; ')}${exactNumbers > where.length ? '; …' : ''}) are carried with their digits as written`,
      )
    return {file: this.args.file, rows, columns: [...columns], exactNumbers}
  }
}
