import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {isAlive, isZombie} from '../../src/util/process.js'

describe('isAlive', () => {
  it('counts a zombie (exited, not reaped by its parent) as dead, and a running process as alive', async function () {
    if (!existsSync('/proc/self/stat')) {
      console.log('      (skipped: no /proc on this system, where zombies cannot be told apart)')
      this.skip()
    }
    // sh starts a child that exits at once, then becomes `sleep`, which never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {stdio: ['ignore', 'pipe', 'ignore']})
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))))
    const deadline = Date.now() + 5000
    while (!isZombie(zombie) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    try {
      expect(isZombie(zombie)).to.equal(true)
      expect(isAlive(zombie)).to.equal(false)
      expect(isAlive(parent.pid!)).to.equal(true)
      expect(isAlive(process.pid)).to.equal(true)
    } finally {
      parent.kill('SIGKILL')
    }
  })
})
