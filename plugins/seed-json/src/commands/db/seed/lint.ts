import {Args} from '@oclif/core'
import {BaseCommand} from '@nself/sdk'
import {ValidationError} from '@nself/sdk/errors'
import {readJsonArray} from '../../../json-array.js'

export default class SeedLint extends BaseCommand<typeof SeedLint> {
  static override summary = 'Check a JSON seed file without touching the database: an array of objects, well-formed.'
  static override description = 'Streams the file (constant memory) and reports the first mistake with its byte offset, line and row.'
  static override examples = ['<%= config.bin %> <%= command.id %> database/seeds/development/users.json']
  static override enableJsonFlag = true
  static override args = {file: Args.string({description: 'The JSON seed file.', required: true})}

  async run(): Promise<{file: string; rows: number; columns: string[]}> {
    const columns = new Set<string>()
    let rows = 0
    try {
      for await (const row of readJsonArray(this.args.file)) {
        rows++
        for (const key of Object.keys(row)) columns.add(key)
      }
    } catch (error) {
      const row = (error as {row?: number}).row
      throw new ValidationError(`${this.args.file}${row ? ` row ${row}` : ''}: ${(error as Error).message}`, {cause: error})
    }
    this.log(`${this.args.file}: ${rows} rows; columns: ${[...columns].join(', ') || '(none)'}`)
    return {file: this.args.file, rows, columns: [...columns]}
  }
}
