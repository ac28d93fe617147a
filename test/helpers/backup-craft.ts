/**
 * Crafted backups: a real backup rewritten section by section (each edited by the test), with
 * valid checksums, as an attacker who can place a file in the backups folder would make it.
 */
import {basename} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip, createGzip} from 'node:zlib'
import {BackupWriter, EXTENSION, readManifest, sectionStream, type Manifest} from '../../src/backup/format.js'

export async function craftBackup(
  source: string,
  target: string,
  edit: (section: string, data: Buffer) => Buffer,
  editManifest: (m: Manifest) => void = () => {},
): Promise<void> {
  const {manifest} = await readManifest(source)
  const writer = await BackupWriter.create(target)
  for (const section of [...manifest.sections].sort((a, b) => a.offset - b.offset)) {
    const chunks: Buffer[] = []
    const stream = section.compressed
      ? sectionStream(source, section).pipe(createGunzip())
      : sectionStream(source, section)
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
    const data = edit(section.name, Buffer.concat(chunks))
    await pipeline([
      Readable.from([data]),
      ...(section.compressed ? [createGzip()] : []),
      writer.section(section.name, section.compressed),
    ])
  }
  const {sections: _sections, ...rest} = manifest
  const crafted = {...rest, name: basename(target, EXTENSION)}
  editManifest(crafted as Manifest)
  await writer.finish(crafted)
}
