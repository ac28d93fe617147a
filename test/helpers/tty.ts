/**
 * Runs nself inside a pseudo-terminal (util-linux `script`), answering its prompts, so typed
 * confirmations and enquirer lists are tested as a person meets them.
 */
import {spawn, spawnSync} from 'node:child_process'
import {stripVTControlCharacters} from 'node:util'
import {BIN, cliEnv, verifyEnv} from './cli.js'

export const hasScript = spawnSync('script', ['--version']).status === 0

export interface TerminalRun {
  code: number
  /** Everything the terminal showed, escape sequences removed. */
  output: string
}

/**
 * answers: [text that appears, what to type] in order; each answer is sent once its prompt shows.
 * columns: the terminal's width (script(1) gives a width of 0 unless told, as some CI terminals do).
 */
export async function runInTerminal(
  args: string[],
  options: {cwd: string; env: Record<string, string>; answers: [string, string][]; columns?: number},
): Promise<TerminalRun> {
  const env = await verifyEnv(args, options.env)
  const nself = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const command = options.columns ? `stty cols ${Math.floor(options.columns)} rows 40; exec ${nself}` : nself
  const child = spawn('script', ['-qfec', command, '/dev/null'], {cwd: options.cwd, env: cliEnv(env)})
  let output = ''
  let next = 0
  child.stdout.on('data', (data) => {
    output += data
    const answer = options.answers[next]
    if (answer && plain(output).includes(answer[0])) {
      next++
      setTimeout(() => child.stdin.write(answer[1]), 100) // let the prompt finish setting up the terminal
    }
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code: code ?? -1, output: plain(output)})
    }),
  )
}

function plain(text: string): string {
  return stripVTControlCharacters(text)
}
