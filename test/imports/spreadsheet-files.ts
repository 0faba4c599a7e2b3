import { crc32, deflateRawSync, inflateRawSync, constants } from 'node:zlib'
import ExcelJS from 'exceljs'

/**
 * Hostile spreadsheets, built by hand so the tests stay fast: a zip writer of a few lines,
 * and deflate streams stitched from segments (each flushed to a byte boundary, only the last
 * one final), so a 200 MB entry costs a 1 MB buffer to make.
 */

export interface RawEntry { name: string; data: Buffer; crc: number; size: number; method?: 0 | 8 }

/** Writes a zip of already-deflated entries; `declaredSize` may lie about an entry's size. */
export function zip(entries: Array<RawEntry & { declaredSize?: number }>): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name)
    const size = e.declaredSize ?? e.size
    const method = e.method ?? 8
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 6); local.writeUInt16LE(method, 8)
    local.writeUInt32LE(e.crc >>> 0, 14); local.writeUInt32LE(e.data.length, 18); local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26); local.writeUInt16LE(0, 28)
    const cd = Buffer.alloc(46)
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0, 8); cd.writeUInt16LE(method, 10)
    cd.writeUInt32LE(e.crc >>> 0, 16); cd.writeUInt32LE(e.data.length, 20); cd.writeUInt32LE(size, 24); cd.writeUInt16LE(name.length, 28)
    cd.writeUInt32LE(offset, 42)
    locals.push(local, name, e.data)
    central.push(cd, name)
    offset += 30 + name.length + e.data.length
  }
  const cdBuf = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cdBuf.length, 12); end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cdBuf, end])
}

/** The entries of a zip, inflated (only for the small files exceljs writes). */
export function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  let eocd = buf.length - 22
  while (buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10)
    const csize = buf.readUInt32LE(p + 20)
    const nlen = buf.readUInt16LE(p + 28)
    const name = buf.toString('utf8', p + 46, p + 46 + nlen)
    const lo = buf.readUInt32LE(p + 42)
    const start = lo + 30 + buf.readUInt16LE(lo + 26) + buf.readUInt16LE(lo + 28)
    const raw = buf.subarray(start, start + csize)
    out.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw))
    p += 46 + nlen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32)
  }
  return out
}

export function deflated(name: string, data: Buffer): RawEntry {
  return { name, data: deflateRawSync(data), crc: crc32(data), size: data.length }
}

/**
 * `prefix`, then `repeat` MB of spaces, then `suffix`, as one deflate stream: whitespace
 * between elements is valid XML, so a parser that inflates it reads every byte of it.
 */
export function paddedEntry(name: string, prefix: string, repeatMb: number, suffix: string): RawEntry {
  const mb = Buffer.alloc(1_048_576, 0x20)
  const sync = { finishFlush: constants.Z_SYNC_FLUSH }
  const parts = [deflateRawSync(Buffer.from(prefix), sync)]
  const segment = deflateRawSync(mb, sync)
  let crc = crc32(Buffer.from(prefix))
  for (let i = 0; i < repeatMb; i++) { parts.push(segment); crc = crc32(mb, crc) }
  parts.push(deflateRawSync(Buffer.from(suffix)))
  crc = crc32(Buffer.from(suffix), crc)
  return { name, data: Buffer.concat(parts), crc, size: prefix.length + repeatMb * 1_048_576 + Buffer.byteLength(suffix) }
}

export async function xlsxOf(rows: Array<Array<string | number | null>>, decorate?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Sheet1')
  for (const r of rows) ws.addRow(r)
  decorate?.(ws)
  return Buffer.from(await wb.xlsx.writeBuffer() as unknown as ArrayBuffer)
}

/** The same workbook with its sheet's XML padded by `mb` MB of whitespace inside <sheetData>. */
export function bombOf(xlsx: Buffer, mb: number, declaredSize?: number): Buffer {
  const entries = unzip(xlsx)
  const sheet = entries.get('xl/worksheets/sheet1.xml')!.toString('utf8')
  const at = sheet.indexOf('<sheetData>') + '<sheetData>'.length
  return zip([...entries].map(([name, data]) => name === 'xl/worksheets/sheet1.xml'
    ? { ...paddedEntry(name, sheet.slice(0, at), mb, sheet.slice(at)), ...(declaredSize ? { declaredSize } : {}) }
    : deflated(name, data)))
}

/** The workbook with its sheet replaced by `rows` generated rows of one inline-string cell each (written by hand: fast). */
export function manyRowsOf(xlsx: Buffer, rows: number): Buffer {
  const entries = unzip(xlsx)
  const sheet = entries.get('xl/worksheets/sheet1.xml')!.toString('utf8')
  const open = sheet.indexOf('<sheetData>') + '<sheetData>'.length
  const close = sheet.indexOf('</sheetData>')
  const body: string[] = []
  for (let r = 1; r <= rows; r++) body.push(`<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>S${r}</t></is></c></row>`)
  const xml = sheet.slice(0, open) + body.join('') + sheet.slice(close)
  return zip([...entries].map(([name, data]) => deflated(name, name === 'xl/worksheets/sheet1.xml' ? Buffer.from(xml) : data)))
}
