import { crc32, createInflateRaw } from 'node:zlib'
import { RATIO_FLOOR_BYTES, refuse, unreadableBecause, type SheetLimits } from './types.js'

/**
 * The checks an .xlsx archive passes before any XML is parsed. An .xlsx is a zip: its
 * central directory (at the end of the file) lists every entry with its compressed and
 * inflated size, so the inflated total and the ratio are known from a few hundred bytes,
 * without inflating anything. A forger can lie in the directory; `verifyEntries` then
 * inflates each entry counting bytes (nothing kept) and refuses the file the moment one
 * inflates beyond what it declared, and `checkArchive` refuses bytes the directory does not
 * account for, so a streaming unzipper cannot find an entry the directory hides.
 */

export interface ZipEntry {
  name: string
  method: number
  flags: number
  compressedSize: number
  inflatedSize: number
  localOffset: number
  /** Where the compressed data starts (after the local header). */
  dataOffset: number
  /** Where the entry's bytes end (after its data and any data descriptor). */
  end: number
}

const EOCD_SIG = 0x06054b50
const CDIR_SIG = 0x02014b50
const LOCAL_SIG = 0x04034b50
const DESCRIPTOR_SIG = 0x08074b50
const MAX_ENTRIES = 10_000

const unreadable = () => refuse(422, 'import_unreadable')

function findEocd(buf: Buffer): number {
  // The end record is 22 bytes plus a comment of at most 65,535.
  const stop = Math.max(0, buf.length - 22 - 0xffff)
  for (let i = buf.length - 22; i >= stop; i--) if (buf.readUInt32LE(i) === EOCD_SIG) return i
  return -1
}

/** Reads the central directory and refuses an archive too large or too compressed; never inflates. */
export function checkArchive(buf: Buffer, limits: SheetLimits): ZipEntry[] {
  if (buf.length < 22) throw unreadable()
  const eocd = findEocd(buf)
  if (eocd < 0) throw unreadable()
  const count = buf.readUInt16LE(eocd + 10)
  const cdSize = buf.readUInt32LE(eocd + 12)
  const cdOffset = buf.readUInt32LE(eocd + 16)
  const commentLength = buf.readUInt16LE(eocd + 20)
  // ZIP64 markers: an .xlsx of more than 65,535 parts or 4 GB is nothing a school uploads.
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw refuse(413, 'import_archive_too_large', { max: mb(limits.maxInflatedBytes) })
  if (count === 0 || count > MAX_ENTRIES || cdOffset + cdSize !== eocd || eocd + 22 + commentLength !== buf.length) throw unreadable()

  const entries: ZipEntry[] = []
  let inflated = 0
  let p = cdOffset
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CDIR_SIG) throw unreadable()
    const flags = buf.readUInt16LE(p + 8)
    const method = buf.readUInt16LE(p + 10)
    const compressedSize = buf.readUInt32LE(p + 20)
    const inflatedSize = buf.readUInt32LE(p + 24)
    const nameLength = buf.readUInt16LE(p + 28)
    const extraLength = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const localOffset = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength)
    p += 46 + nameLength + extraLength + commentLen
    if (compressedSize === 0xffffffff || inflatedSize === 0xffffffff) throw refuse(413, 'import_archive_too_large', { max: mb(limits.maxInflatedBytes) })
    if ((method !== 0 && method !== 8) || (flags & 0x1) !== 0) throw unreadable()
    if (method === 0 && compressedSize !== inflatedSize) throw unreadable()
    inflated += inflatedSize
    entries.push({ name, method, flags, compressedSize, inflatedSize, localOffset, dataOffset: 0, end: 0 })
  }
  if (p !== eocd) throw unreadable()
  if (inflated > limits.maxInflatedBytes) throw refuse(413, 'import_archive_too_large', { max: mb(limits.maxInflatedBytes) })
  if (inflated > RATIO_FLOOR_BYTES && inflated / buf.length > limits.maxRatio) throw refuse(422, 'import_archive_bomb', { max: limits.maxRatio })

  // Every byte before the directory belongs to a listed entry: local header, data, descriptor.
  let accounted = 0
  for (const e of [...entries].sort((a, b) => a.localOffset - b.localOffset)) {
    const o = e.localOffset
    if (o !== accounted || o + 30 > cdOffset || buf.readUInt32LE(o) !== LOCAL_SIG) throw unreadable()
    const localFlags = buf.readUInt16LE(o + 6)
    const localMethod = buf.readUInt16LE(o + 8)
    const localCompressed = buf.readUInt32LE(o + 18)
    const localInflated = buf.readUInt32LE(o + 22)
    if (localMethod !== e.method || (localFlags & 0x8) !== (e.flags & 0x8)) throw unreadable()
    if ((e.flags & 0x8) === 0 && (localCompressed !== e.compressedSize || localInflated !== e.inflatedSize)) throw unreadable()
    e.dataOffset = o + 30 + buf.readUInt16LE(o + 26) + buf.readUInt16LE(o + 28)
    let end = e.dataOffset + e.compressedSize
    if (end > cdOffset) throw unreadable()
    if (e.flags & 0x8) {
      // Data descriptor after the data: crc, sizes, with or without its signature.
      const signed = end + 4 <= cdOffset && buf.readUInt32LE(end) === DESCRIPTOR_SIG
      end += signed ? 16 : 12
      if (end > cdOffset) throw unreadable()
    }
    e.end = end
    accounted = end
  }
  if (accounted !== cdOffset) throw unreadable()
  return entries
}

const WORKSHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/
const SHARED_STRINGS = 'xl/sharedStrings.xml'
const rank = (name: string): number => {
  if (name === 'xl/_rels/workbook.xml.rels' || name === 'xl/workbook.xml') return 0
  if (name === SHARED_STRINGS || name === 'xl/styles.xml') return 1
  return WORKSHEET.test(name) ? 3 : 2
}

/**
 * The archive's entries laid out for exceljs's streaming reader, which reads local headers in
 * file order and ignores the directory: the workbook, its relations, shared strings and styles
 * first, the worksheets last (by number). Excel writes the worksheets before the shared strings,
 * exceljs before the workbook too; the reader then parks each worksheet in a temporary file
 * and reads it after the last entry, and under load its entry stream sometimes ended before that
 * last entry (xl/workbook.xml) was read, so a valid file was refused as unreadable (measured:
 * 5 of 1,200 parses of the training template with both cores busy). In this order every
 * worksheet is read as it arrives. A workbook without shared strings (inline strings, as
 * SheetJS writes by default) gets an empty table, which the reader also waits for. The bytes
 * are the checked ones (`checkArchive` accounts for every byte before the directory), followed
 * by the directory as it was.
 */
export function inReadingOrder(buf: Buffer, entries: readonly ZipEntry[]): Buffer {
  const sheetNo = (name: string) => Number(WORKSHEET.exec(name)?.[1] ?? 0)
  const ordered = [...entries].sort((a, b) =>
    (rank(a.name) - rank(b.name)) || (sheetNo(a.name) - sheetNo(b.name)) || (a.localOffset - b.localOffset))
  const directory = entries.reduce((at, e) => Math.max(at, e.end), 0)
  const parts = ordered.map((e) => buf.subarray(e.localOffset, e.end))
  if (!entries.some((e) => e.name === SHARED_STRINGS)) parts.unshift(storedEntry(SHARED_STRINGS, EMPTY_SHARED_STRINGS))
  return Buffer.concat([...parts, buf.subarray(directory)])
}

const EMPTY_SHARED_STRINGS = Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>')

/** A local entry, stored (not deflated): header, name, data. */
function storedEntry(name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(name)
  const header = Buffer.alloc(30)
  header.writeUInt32LE(LOCAL_SIG, 0)
  header.writeUInt16LE(20, 4)
  header.writeUInt32LE(crc32(data) >>> 0, 14)
  header.writeUInt32LE(data.length, 18)
  header.writeUInt32LE(data.length, 22)
  header.writeUInt16LE(nameBytes.length, 26)
  return Buffer.concat([header, nameBytes, data])
}

/**
 * Inflates every deflated entry, counting bytes and keeping none, and refuses the archive as
 * soon as one grows past its declared size or its data does not end where declared. Runs in
 * the parsing worker, before the XML parser sees the file.
 */
export async function verifyEntries(buf: Buffer, entries: ZipEntry[], limits: SheetLimits): Promise<void> {
  for (const e of entries) {
    if (e.method === 0) continue
    const data = buf.subarray(e.dataOffset, e.dataOffset + e.compressedSize)
    const { out, consumed } = await countInflated(data, e.inflatedSize)
    if (out !== e.inflatedSize || consumed !== e.compressedSize) throw refuse(422, 'import_archive_bomb', { max: limits.maxRatio })
  }
}

function countInflated(data: Buffer, declared: number): Promise<{ out: number; consumed: number }> {
  return new Promise((resolve, reject) => {
    const z = createInflateRaw()
    let out = 0
    let done = false
    const finish = (v: { out: number; consumed: number }) => { if (!done) { done = true; resolve(v) } }
    z.on('data', (chunk: Buffer) => {
      out += chunk.length
      if (out > declared) { finish({ out, consumed: -1 }); z.destroy() }
    })
    z.on('end', () => finish({ out, consumed: z.bytesWritten }))
    z.on('error', (err) => { if (!done) { done = true; reject(unreadableBecause(err)) } })
    z.end(data)
  })
}

export const mb = (bytes: number): number => Math.round(bytes / 1_048_576)
