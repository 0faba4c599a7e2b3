import QRCode from 'qrcode'
import type { Test } from 'tap'
import t from '../helpers/tap.js'
import { encodeQr, qrSvg } from '../../src/modules/practices/qr.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

/**
 * The poster's QR symbols (the `qrcode` package, configured in qr.ts) against published
 * values: the Reed–Solomon example of ISO/IEC 18004 Annex I, the format and version
 * information tables, the alignment positions of Annex E, the byte capacities at level M, and
 * a complete reference symbol (version 11-M, byte mode, mask 4: test vector "code 2" of
 * Project Nayuki's QR Code generator test suite, MIT licence, stored here as hex rows).
 * Everything is read back from the module matrix by the small reader below, written apart
 * from the library.
 */

const REFERENCE_TEXT = 'kVtnmdZMDB wbhQ4Y0L0D 6dxWYgeDO7 6XEq8JBGFD dbA5ruetw0 zIevtZZkJL UnEcrObNuS COOscwe4PD PL2lKGcbqk uXnmfUX00E l4FsUfvkiU O8bje4GTce  C85HiEHDha EoObmX7Hef VEipzaCPV7 XpBy5cgYRZ VzlrmMTRSW f0U7Dt0x5j Mb5uk2JcA6 MFov2hnHQR'
/** 61 rows, 61 modules each (dark = 1), left to right, padded to 64 bits. */
const REFERENCE_HEX = [
  'fefa6421c2e49bf8',
  '8219f6f04cee5a08',
  'ba48f998e8dcbae8',
  'bad225c5b4866ae8',
  'ba8b4d5f97a432e8',
  '82f1cda8cb65e208',
  'feaaaaaaaaaaabf8',
  '0097ce78bdc38800',
  '8bbbe02fb928c7c8',
  'f0280042d234f7a0',
  '5a524f5d23a2aa60',
  '9d605c48292edeb0',
  'd73fb3a3c958eaa0',
  'a17828c18b7db2c0',
  '2334f3bd11735ba0',
  'b04f208955e37820',
  'ca3ac0fa97a3feb8',
  '817cdc8e82f47620',
  'bb759c710a7cf600',
  'c90183bc666e0c30',
  '3aaa4985ff6986d0',
  'a142eef3cae4b350',
  '1a470fd926875b20',
  '69e9a98417a7e920',
  'c3d386af3d0d82f8',
  '587ff75ae85db6e8',
  'fa05758670c26940',
  '890a52f94d1d06a8',
  '5f82722f9a0defb8',
  '388e6dc8d3e038d8',
  'fa95b46af1e1eaa0',
  '289a82f8bec238a0',
  '1fb7c1af890dcfb8',
  'a4b289f3d3fcb1b0',
  '0bebe253a0c5c800',
  '9cbafadc20d5cc78',
  '6b57f623481feb68',
  'd164a0ccdb6caad8',
  '5abe769873e594c8',
  'c861f1d520cf83b0',
  '0f1373f6fd0ae968',
  'f4372ea91a6d2ed0',
  '7e0eb218cb9058f0',
  '3c1c6722784e52b8',
  '378a56afca7bcee8',
  'cce18fe28f2968f0',
  '675e9113b4976c30',
  '3573c53e3c8f5630',
  'e34de02cdf2980a0',
  'd85bd59bd36d20d0',
  '3f5079f810b7b0c0',
  'e9d33373eeb9a570',
  'f387222f891bcfa8',
  '00f7afc8d27c2890',
  'fe8baa2aef3f3ac0',
  '826c7d28d5e5d8a0',
  'ba89936f9385cf98',
  'ba2b06c746f42048',
  'ba092c75ca7b6870',
  '822e8f34f77cd9b0',
  'fe8484909a1cc0b8',
]
const reference: boolean[][] = REFERENCE_HEX.map((h) => [...h].flatMap((c) => [...parseInt(c, 16).toString(2).padStart(4, '0')].map((b) => b === '1')).slice(0, 61))

/** The eight data masks of ISO 18004 table 10 (x = column, y = row), written out again here. */
const MASK: Array<(x: number, y: number) => boolean> = [
  (x, y) => (y + x) % 2 === 0, (_x, y) => y % 2 === 0, (x) => x % 3 === 0, (x, y) => (y + x) % 3 === 0,
  (x, y) => (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0, (x, y) => ((y * x) % 2) + ((y * x) % 3) === 0,
  (x, y) => (((y * x) % 2) + ((y * x) % 3)) % 2 === 0, (x, y) => (((y + x) % 2) + ((y * x) % 3)) % 2 === 0,
]

/** ISO 18004 Annex C: the 15 format bits at level M (00), masks 0–7, after the 101010000010010 mask. */
const FORMAT_M = [
  0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
  0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000,
]

/** The 18 version bits: the version, then its BCH(18, 6) remainder (checked against Annex D below). */
function versionBits(version: number): number {
  let rem = version
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25)
  return (version << 12) | rem
}

/** Alignment centres from ISO 18004 Annex E for the versions tested here. */
const ANNEX_E: Record<number, number[]> = {
  1: [], 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34], 7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50],
  11: [6, 30, 54], 14: [6, 26, 46, 66], 32: [6, 34, 60, 86, 112, 138], 40: [6, 30, 58, 86, 114, 142, 170],
}

/** Modules that carry no data: finders with separators, timing, alignment, format, version, dark module. */
function functionMap(version: number): boolean[][] {
  const size = version * 4 + 17
  const fn = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  const mark = (x: number, y: number) => { if (x >= 0 && y >= 0 && x < size && y < size) fn[y]![x] = true }
  for (let i = 0; i < size; i++) { mark(6, i); mark(i, 6) }
  for (let y = 0; y < 9; y++) for (let x = 0; x < 9; x++) mark(x, y)
  for (let y = 0; y < 9; y++) for (let x = 0; x < 8; x++) { mark(size - 1 - x, y); mark(y, size - 1 - x) }
  const a = ANNEX_E[version]!
  for (const cx of a) for (const cy of a) {
    if ((cx === 6 && cy === 6) || (cx === 6 && cy === a[a.length - 1]) || (cx === a[a.length - 1] && cy === 6)) continue
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) mark(cx + dx, cy + dy)
  }
  if (version >= 7) for (let i = 0; i < 6; i++) for (let j = 0; j < 3; j++) { mark(size - 11 + j, i); mark(i, size - 11 + j) }
  return fn
}

/** The 15 format bits as read from the first copy (around the top-left finder), bit 14 first. */
function readFormat(m: boolean[][]): number[] {
  const bits: number[] = []
  for (let x = 0; x <= 5; x++) bits.push(+m[8]![x]!)
  bits.push(+m[8]![7]!, +m[8]![8]!, +m[7]![8]!)
  for (let y = 5; y >= 0; y--) bits.push(+m[y]![8]!)
  return bits
}

/** The second copy: down the left of the top-right finder… read in the same bit order (14 → 0). */
function readFormatSecond(m: boolean[][]): number[] {
  const size = m.length
  const bits: number[] = []
  for (let y = size - 1; y >= size - 7; y--) bits.push(+m[y]![8]!)
  for (let x = size - 8; x < size; x++) bits.push(+m[8]![x]!)
  return bits
}

function checkStructure(t: Test, m: boolean[][], version: number, mask: number) {
  const size = version * 4 + 17
  t.equal(m.length, size, 'size')
  const finderAt = (ox: number, oy: number) => {
    for (let dy = -1; dy <= 7; dy++) for (let dx = -1; dx <= 7; dx++) {
      const x = ox + dx
      const y = oy + dy
      if (x < 0 || y < 0 || x >= size || y >= size) continue
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3))
      const dark = ring === 0 || ring === 1 || ring === 3
      if (m[y]![x] !== dark) return false
    }
    return true
  }
  t.ok(finderAt(0, 0) && finderAt(size - 7, 0) && finderAt(0, size - 7), 'three finder patterns with light separators')
  let timing = true
  for (let i = 8; i < size - 8; i++) if (m[6]![i] !== (i % 2 === 0) || m[i]![6] !== (i % 2 === 0)) timing = false
  t.ok(timing, 'timing patterns alternate')
  t.equal(m[size - 8]![8], true, 'the dark module')
  const expected = [...FORMAT_M[mask]!.toString(2).padStart(15, '0')].map(Number)
  t.same(readFormat(m), expected, 'format information, first copy: level M and the mask')
  t.same(readFormatSecond(m), expected, 'format information, second copy')
  if (version >= 7) {
    const v = versionBits(version)
    let ok = true
    for (let i = 0; i < 18; i++) {
      const bit = ((v >>> i) & 1) === 1
      if (m[Math.floor(i / 3)]![size - 11 + (i % 3)] !== bit || m[size - 11 + (i % 3)]![Math.floor(i / 3)] !== bit) ok = false
    }
    t.ok(ok, 'version information, both copies')
  }
  // Alignment patterns at the Annex E centres: dark centre, light ring, dark ring.
  const a = ANNEX_E[version]
  if (a) {
    let ok = true
    const last = a[a.length - 1]
    for (const cx of a) for (const cy of a) {
      if ((cx === 6 && cy === 6) || (cx === 6 && cy === last) || (cx === last && cy === 6)) continue
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
        if (m[cy + dy]![cx + dx] !== (Math.max(Math.abs(dx), Math.abs(dy)) !== 1)) ok = false
      }
    }
    t.ok(ok, `alignment patterns at ${a.join(', ') || 'none'}`)
  }
}

/** Level M error-correction blocks of ISO 18004 table 9, versions 1–10: [blocks, EC codewords per block]. */
const BLOCKS_M: Record<number, [number, number]> = { 1: [1, 10], 2: [1, 16], 3: [1, 26], 4: [2, 18], 5: [2, 24], 6: [4, 16], 7: [4, 18], 8: [4, 22], 9: [5, 22], 10: [5, 26] }

/** GF(256) with x^8 + x^4 + x^3 + x^2 + 1, by exp/log tables (written apart from the library's). */
const EXP: number[] = []
const LOG: number[] = new Array<number>(256).fill(0)
for (let i = 0, x = 1; i < 255; i++) { EXP[i] = x; LOG[x] = i; x <<= 1; if (x & 0x100) x ^= 0x11d }
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[(LOG[a]! + LOG[b]!) % 255]!)

/**
 * The codewords of a symbol in the standard's placement order (two-column zigzag from the
 * bottom right, function modules skipped), unmasked with the mask its format information names.
 */
function readCodewords(m: boolean[][]): number[] {
  const size = m.length
  const fn = functionMap((size - 17) / 4)
  const format = parseInt(readFormat(m).join(''), 2) ^ 0x5412
  if (format >>> 13 !== 0) throw new Error('not level M')
  const mask = (format >>> 10) & 7
  const bits: number[] = []
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5
    const upward = ((right + 1) & 2) === 0
    for (let v = 0; v < size; v++) {
      const y = upward ? size - 1 - v : v
      for (const x of [right, right - 1]) if (!fn[y]![x]) bits.push(+(m[y]![x] !== MASK[mask]!(x, y)))
    }
  }
  return Array.from({ length: Math.floor(bits.length / 8) }, (_, i) => parseInt(bits.slice(i * 8, i * 8 + 8).join(''), 2))
}

/**
 * A small reader for the symbols qr.ts makes (versions 1–10, level M, byte mode): it
 * unmasks with the mask the format information names, reads the codewords in the standard's
 * placement order, de-interleaves the blocks, checks every block's syndromes are zero, and
 * parses the byte-mode segment.
 */
function decode(m: boolean[][]): string {
  const words = readCodewords(m)
  const version = (m.length - 17) / 4
  const total = words.length
  const [blocks, ecc] = BLOCKS_M[version]!
  const short = Math.floor(total / blocks)
  const shortCount = blocks - (total % blocks)
  const lens = Array.from({ length: blocks }, (_, b) => short + (b < shortCount ? 0 : 1))
  const dataLens = lens.map((l) => l - ecc)
  const split: number[][] = lens.map(() => [])
  let k = 0
  for (let i = 0; i < Math.max(...dataLens); i++) for (let b = 0; b < blocks; b++) if (i < dataLens[b]!) split[b]!.push(words[k++]!)
  for (let i = 0; i < ecc; i++) for (let b = 0; b < blocks; b++) split[b]!.push(words[k++]!)
  const data: number[] = []
  split.forEach((block, b) => {
    for (let r = 0; r < ecc; r++) {
      let s = 0
      for (const c of block) s = mul(s, EXP[r]!) ^ c
      if (s !== 0) throw new Error(`block ${b}: syndrome ${r} is ${s}`)
    }
    data.push(...block.slice(0, dataLens[b]))
  })
  const stream = data.flatMap((w) => [...w.toString(2).padStart(8, '0')].map(Number))
  const read = (from: number, n: number) => parseInt(stream.slice(from, from + n).join(''), 2)
  if (read(0, 4) !== 0b0100) throw new Error('not byte mode')
  const countBits = version <= 9 ? 8 : 16
  const count = read(4, countBits)
  const bytes = Uint8Array.from({ length: count }, (_, i) => read(4 + countBits + i * 8, 8))
  return new TextDecoder().decode(bytes)
}

test('Reed–Solomon: the ISO 18004 Annex I example (01234567, 1-M), read back from the symbol', async (t) => {
  // Annex I encodes in numeric mode; the poster does not, so this one symbol asks the library directly.
  const qr = QRCode.create([{ data: '01234567', mode: 'numeric' }], { errorCorrectionLevel: 'M' })
  t.equal(qr.version, 1)
  const m = Array.from({ length: qr.modules.size }, (_, y) => Array.from({ length: qr.modules.size }, (_, x) => qr.modules.get(y, x) === 1))
  checkStructure(t, m, 1, qr.maskPattern!)
  t.same(readCodewords(m), [
    0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11,
    0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55,
  ], 'the 16 data codewords, then the 10 error-correction codewords')
})

test('format and version information match the published tables', async (t) => {
  // Annex D: versions 7, 8 and 40 (the reader's version bits, used by the structure checks).
  t.equal(versionBits(7), 0x07c94)
  t.equal(versionBits(8), 0x085bc)
  t.equal(versionBits(40), 0x28c69)
  // Annex C via the symbols: each forced mask writes its level-M format bits in both copies.
  for (let k = 0; k < 8; k++) {
    const qr = encodeQr('https://xinan.example.edu.cn/letterbox/k9tu8ktkdm7zgnmruhwc', { mask: k })
    t.same(readFormat(qr.modules), [...FORMAT_M[k]!.toString(2).padStart(15, '0')].map(Number), `mask ${k}`)
  }
})

test('byte capacities at level M and alignment positions follow the standard', async (t) => {
  // ISO 18004 table 7, byte mode, level M: the longest text each version holds.
  const capacity = new Map([[1, 14], [2, 26], [3, 42], [4, 62], [5, 84], [6, 106], [7, 122], [8, 152], [9, 180], [10, 213], [11, 251], [12, 287], [13, 331], [14, 362], [20, 666], [30, 1370], [31, 1452], [32, 1538], [40, 2331]])
  for (const [v, n] of capacity) {
    t.equal(encodeQr('x'.repeat(n)).version, v, `${n} bytes: version ${v}`)
    if (v < 40) t.equal(encodeQr('x'.repeat(n + 1)).version, v + 1, `${n + 1} bytes: version ${v + 1}`)
  }
  t.throws(() => encodeQr('x'.repeat(2332)), RangeError)
  // A multi-byte character counts its UTF-8 bytes: 心 is three.
  t.equal(encodeQr('心'.repeat(4)).version, 1)
  t.equal(encodeQr('心'.repeat(5)).version, 2)
  // Full symbols of every version Annex E lists here: finders, timing, format, version and alignment.
  for (const v of Object.keys(ANNEX_E).map(Number)) {
    const qr = encodeQr('x'.repeat(capacity.get(v)!))
    t.equal(qr.version, v)
    checkStructure(t, qr.modules, v, qr.mask)
  }
})

test('the reference symbol (11-M, byte mode, mask 4) is reproduced module for module', async (t) => {
  const qr = encodeQr(REFERENCE_TEXT, { mask: 4 })
  t.equal(qr.version, 11)
  let diffs = 0
  qr.modules.forEach((row, y) => row.forEach((dark, x) => { if (dark !== reference[y]![x]) diffs++ }))
  t.equal(diffs, 0, 'no module differs')
  checkStructure(t, reference, 11, 4)
})

test('every mask carries the reference symbol’s data: unmasked, the data modules agree', async (t) => {
  const fn = functionMap(11)
  for (let k = 0; k < 8; k++) {
    const qr = encodeQr(REFERENCE_TEXT, { mask: k })
    let diffs = 0
    for (let y = 0; y < 61; y++) for (let x = 0; x < 61; x++) {
      if (fn[y]![x]) { if (qr.modules[y]![x] !== reference[y]![x] && !(y === 8 || x === 8)) diffs++; continue }
      if ((qr.modules[y]![x]! !== MASK[k]!(x, y)) !== (reference[y]![x]! !== MASK[4]!(x, y))) diffs++
    }
    t.equal(diffs, 0, `mask ${k}`)
    checkStructure(t, qr.modules, 11, k)
  }
})

test('a letter-box link: the chosen mask and version give a well-formed symbol', async (t) => {
  const url = 'https://xinan.example.edu.cn/letterbox/k9tu8ktkdm7zgnmruhwc'
  const qr = encodeQr(url)
  t.equal(qr.version, 4, `${url.length} bytes fit version 4-M`)
  t.ok(qr.mask >= 0 && qr.mask <= 7)
  checkStructure(t, qr.modules, qr.version, qr.mask)
  const long = encodeQr(`${url}?${'a'.repeat(50)}`)
  t.equal(long.version, 7)
  checkStructure(t, long.modules, 7, long.mask)
})

test('the SVG draws exactly the dark modules, with a quiet zone and the link spelled out', async (t) => {
  const url = 'https://xinan.example.edu.cn/letterbox/k9tu8ktkdm7zgnmruhwc'
  const svg = qrSvg(url, { title: '解忧树洞 · 心理信箱', caption: '示范<学校>' })
  const qr = encodeQr(url)
  const d = /<path d="([^"]+)"/.exec(svg)![1]!
  let drawn = 0
  let minX = Infinity
  for (const m of d.matchAll(/M(\d+),(\d+)h(\d+)v1h-\3z/g)) { drawn += Number(m[3]); minX = Math.min(minX, Number(m[1])) }
  t.equal(drawn, qr.modules.flat().filter(Boolean).length, 'one unit per dark module')
  t.equal(minX, 4, 'four modules of quiet zone')
  t.match(svg, url)
  t.match(svg, '示范&#60;学校&#62;', 'text is escaped')
  t.notMatch(svg, '<学校>')
})

test('read back: every block checks out and the byte segment is the input (versions 1–10)', async (t) => {
  const inputs = [
    'https://xinan.example.edu.cn/letterbox/k9tu8ktkdm7zgnmruhwc',
    'http://127.0.0.1:3000/letterbox/demo-shudong-2026',
    '解忧树洞 · 心理信箱',
    'x'.repeat(14), 'x'.repeat(26), 'y'.repeat(84), 'z'.repeat(122), 'a'.repeat(180), 'b'.repeat(213),
  ]
  for (const text of inputs) {
    const qr = encodeQr(text)
    t.equal(decode(qr.modules), text, `${text.slice(0, 24)}… (version ${qr.version}, mask ${qr.mask})`)
  }
  // The reader can fail: one flipped data module breaks a block's syndromes.
  const qr = encodeQr(inputs[0]!)
  qr.modules[qr.size - 1]![qr.size - 1] = !qr.modules[qr.size - 1]![qr.size - 1]
  t.throws(() => decode(qr.modules), /syndrome/)
})
