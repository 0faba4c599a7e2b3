/**
 * A small QR Code encoder (ISO/IEC 18004): byte mode, error-correction level M, the smallest
 * version that fits, mask chosen by the standard's penalty rules. Enough for a letter-box
 * link on a printed poster; no other mode or level is needed here, and no package is.
 */

/** Error-correction codewords per block at level M, versions 1–40 (index 0 unused). */
const ECC_PER_BLOCK_M = [
  -1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
  26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
]
/** Error-correction blocks at level M, versions 1–40 (index 0 unused). */
const BLOCKS_M = [
  -1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
  17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
]
/** Level M's two format bits (L = 01, M = 00, Q = 11, H = 10). */
const ECL_M_BITS = 0

export interface QrCode {
  version: number
  size: number
  mask: number
  /** modules[y][x]: true is dark. */
  modules: boolean[][]
}

/** Bits left for data in a version once function patterns are placed (ISO 18004 table 1). */
export function rawDataModules(version: number): number {
  let n = (16 * version + 128) * version + 64
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2
    n -= (25 * align - 10) * align - 55
    if (version >= 7) n -= 36
  }
  return n
}

export function dataCodewords(version: number): number {
  return Math.floor(rawDataModules(version) / 8) - ECC_PER_BLOCK_M[version]! * BLOCKS_M[version]!
}

/** Bytes a version holds in byte mode at level M. */
export function byteCapacity(version: number): number {
  const countBits = version <= 9 ? 8 : 16
  return Math.floor((dataCodewords(version) * 8 - 4 - countBits) / 8)
}

export function alignmentPositions(version: number): number[] {
  if (version === 1) return []
  const count = Math.floor(version / 7) + 2
  const size = version * 4 + 17
  const step = version === 32 ? 26 : Math.floor((version * 4 + count * 2 + 1) / (count * 2 - 2)) * 2
  const out = [6]
  for (let i = count - 1, pos = size - 7; i >= 1; i--, pos -= step) out.splice(1, 0, pos)
  return out
}

// ── Reed–Solomon over GF(2^8) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 ──────────

function gfMul(a: number, b: number): number {
  let r = 0
  for (let i = 7; i >= 0; i--) {
    r = (r << 1) ^ ((r >>> 7) * 0x11d)
    r ^= ((b >>> i) & 1) * a
  }
  return r & 0xff
}

/** Generator polynomial of the given degree (roots α^0 … α^(degree−1)), leading 1 dropped. */
export function rsGenerator(degree: number): number[] {
  const g = new Array<number>(degree).fill(0)
  g[degree - 1] = 1
  let root = 1
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      g[j] = gfMul(g[j]!, root) ^ (j + 1 < degree ? g[j + 1]! : 0)
    }
    root = gfMul(root, 2)
  }
  return g
}

export function rsRemainder(data: readonly number[], generator: readonly number[]): number[] {
  const r = new Array<number>(generator.length).fill(0)
  for (const b of data) {
    const factor = b ^ r.shift()!
    r.push(0)
    generator.forEach((coef, i) => { r[i] = r[i]! ^ gfMul(coef, factor) })
  }
  return r
}

// ── Data codewords ────────────────────────────────────────────────────────────────────

function chooseVersion(length: number): number {
  for (let v = 1; v <= 40; v++) if (byteCapacity(v) >= length) return v
  throw new RangeError('data too long for a QR code')
}

/** Mode, count, data, terminator, padding, then blocks with their error correction interleaved. */
export function codewords(bytes: Uint8Array, version: number): number[] {
  const bits: number[] = []
  const put = (value: number, len: number) => { for (let i = len - 1; i >= 0; i--) bits.push((value >>> i) & 1) }
  put(0b0100, 4)
  put(bytes.length, version <= 9 ? 8 : 16)
  for (const b of bytes) put(b, 8)
  const capacity = dataCodewords(version) * 8
  put(0, Math.min(4, capacity - bits.length))
  put(0, (8 - (bits.length % 8)) % 8)
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) put(pad, 8)
  const data: number[] = []
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0))

  const blocks = BLOCKS_M[version]!
  const eccLen = ECC_PER_BLOCK_M[version]!
  const total = Math.floor(rawDataModules(version) / 8)
  const shortBlocks = blocks - (total % blocks)
  const shortData = Math.floor(total / blocks) - eccLen
  const gen = rsGenerator(eccLen)
  const dataBlocks: number[][] = []
  const eccBlocks: number[][] = []
  for (let i = 0, k = 0; i < blocks; i++) {
    const len = shortData + (i < shortBlocks ? 0 : 1)
    const block = data.slice(k, k + len)
    k += len
    dataBlocks.push(block)
    eccBlocks.push(rsRemainder(block, gen))
  }
  const out: number[] = []
  for (let i = 0; i <= shortData; i++) for (const b of dataBlocks) if (i < b.length) out.push(b[i]!)
  for (let i = 0; i < eccLen; i++) for (const b of eccBlocks) out.push(b[i]!)
  return out
}

// ── The symbol ────────────────────────────────────────────────────────────────────────

export function formatBits(mask: number): number {
  const data = (ECL_M_BITS << 3) | mask
  let rem = data
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537)
  return ((data << 10) | rem) ^ 0x5412
}

export function versionBits(version: number): number {
  let rem = version
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25)
  return (version << 12) | rem
}

const bit = (x: number, i: number) => ((x >>> i) & 1) !== 0

const MASKS: Array<(x: number, y: number) => boolean> = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
]

class Grid {
  readonly modules: boolean[][]
  readonly fn: boolean[][]
  constructor(readonly size: number) {
    this.modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
    this.fn = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  }

  setFn(x: number, y: number, dark: boolean): void {
    this.modules[y]![x] = dark
    this.fn[y]![x] = true
  }

  drawFunctionPatterns(version: number): void {
    const { size } = this
    for (let i = 0; i < size; i++) {
      this.setFn(6, i, i % 2 === 0)
      this.setFn(i, 6, i % 2 === 0)
    }
    for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]] as const) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const x = cx + dx
          const y = cy + dy
          if (x < 0 || y < 0 || x >= size || y >= size) continue
          const d = Math.max(Math.abs(dx), Math.abs(dy))
          this.setFn(x, y, d !== 2 && d !== 4)
        }
      }
    }
    const align = alignmentPositions(version)
    const last = align.length - 1
    align.forEach((cx, i) => align.forEach((cy, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) this.setFn(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1)
    }))
    // Reserve the format areas now; drawFormat fills them per mask.
    this.drawFormat(0)
    if (version >= 7) {
      const bits = versionBits(version)
      for (let i = 0; i < 18; i++) {
        const a = size - 11 + (i % 3)
        const b = Math.floor(i / 3)
        this.setFn(a, b, bit(bits, i))
        this.setFn(b, a, bit(bits, i))
      }
    }
  }

  drawFormat(mask: number): void {
    const bits = formatBits(mask)
    const { size } = this
    for (let i = 0; i <= 5; i++) this.setFn(8, i, bit(bits, i))
    this.setFn(8, 7, bit(bits, 6))
    this.setFn(8, 8, bit(bits, 7))
    this.setFn(7, 8, bit(bits, 8))
    for (let i = 9; i < 15; i++) this.setFn(14 - i, 8, bit(bits, i))
    for (let i = 0; i < 8; i++) this.setFn(size - 1 - i, 8, bit(bits, i))
    for (let i = 8; i < 15; i++) this.setFn(8, size - 15 + i, bit(bits, i))
    this.setFn(8, size - 8, true)
  }

  /** Codeword bits in the two-column zigzag from the bottom right, skipping function modules. */
  drawCodewords(data: readonly number[]): void {
    const { size } = this
    let i = 0
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5
      const upward = ((right + 1) & 2) === 0
      for (let vert = 0; vert < size; vert++) {
        const y = upward ? size - 1 - vert : vert
        for (let j = 0; j < 2; j++) {
          const x = right - j
          if (this.fn[y]![x]) continue
          if (i < data.length * 8) this.modules[y]![x] = bit(data[i >>> 3]!, 7 - (i & 7))
          i++
        }
      }
    }
  }

  applyMask(mask: number): void {
    const f = MASKS[mask]!
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) if (!this.fn[y]![x] && f(x, y)) this.modules[y]![x] = !this.modules[y]![x]
    }
  }
}

/**
 * Penalty score of a masked symbol (ISO 18004 §7.8.3): runs of five or more, 2×2 blocks,
 * finder-like 1:1:3:1:1 patterns with four light modules beside them (outside counts as
 * light), and the share of dark modules away from half.
 */
export function penalty(m: readonly (readonly boolean[])[]): number {
  const size = m.length
  let score = 0
  const lines: boolean[][] = []
  for (let y = 0; y < size; y++) lines.push([...m[y]!])
  for (let x = 0; x < size; x++) lines.push(m.map((row) => row[x]!))
  for (const line of lines) {
    let run = 1
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) { run++; continue }
      if (run >= 5) score += 3 + (run - 5)
      run = 1
    }
    const light = (from: number, to: number) => {
      for (let i = Math.max(0, from); i < Math.min(size, to); i++) if (line[i]) return false
      return true
    }
    for (let i = 0; i + 6 < size; i++) {
      if (line[i] && !line[i + 1] && line[i + 2] && line[i + 3] && line[i + 4] && !line[i + 5] && line[i + 6]
        && (light(i - 4, i) || light(i + 7, i + 11))) score += 40
    }
  }
  let dark = 0
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (m[y]![x]) dark++
      if (x + 1 < size && y + 1 < size) {
        const c = m[y]![x]
        if (m[y]![x + 1] === c && m[y + 1]![x] === c && m[y + 1]![x + 1] === c) score += 3
      }
    }
  }
  const total = size * size
  score += Math.floor(Math.abs(dark * 100 - total * 50) / total / 5) * 10
  return score
}

/** Encodes text (UTF-8, byte mode, level M). `mask` forces a mask pattern (0–7); tests use it. */
export function encodeQr(text: string, opts: { mask?: number; minVersion?: number } = {}): QrCode {
  const bytes = new TextEncoder().encode(text)
  const version = Math.max(chooseVersion(bytes.length), opts.minVersion ?? 1)
  const size = version * 4 + 17
  const grid = new Grid(size)
  grid.drawFunctionPatterns(version)
  grid.drawCodewords(codewords(bytes, version))
  let mask = opts.mask ?? -1
  if (mask < 0) {
    let best = Infinity
    for (let k = 0; k < 8; k++) {
      grid.applyMask(k)
      grid.drawFormat(k)
      const p = penalty(grid.modules)
      if (p < best) { best = p; mask = k }
      grid.applyMask(k)
    }
  }
  grid.applyMask(mask)
  grid.drawFormat(mask)
  return { version, size, mask, modules: grid.modules }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A print-ready SVG: the code with its four-module quiet zone, a title above and the link
 * spelled out below (for anyone who cannot scan).
 */
export function qrSvg(text: string, opts: { title?: string; caption?: string } = {}): string {
  const qr = encodeQr(text)
  const quiet = 4
  const cell = 8
  const side = (qr.size + quiet * 2) * cell
  const top = opts.title ? 56 : 0
  const bottom = 48 + (opts.caption ? 28 : 0)
  let d = ''
  qr.modules.forEach((row, y) => {
    for (let x = 0; x < qr.size; x++) {
      if (!row[x]) continue
      let run = 1
      while (x + run < qr.size && row[x + run]) run++
      d += `M${x + quiet},${y + quiet}h${run}v1h-${run}z`
      x += run - 1
    }
  })
  // Wide enough for the link spelled out (≈ 9 px a character at 15 px), the code centred.
  const width = Math.max(side, text.length * 9 + 32)
  const left = (width - side) / 2
  const font = 'font-family="sans-serif" text-anchor="middle" fill="#000"'
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${side + top + bottom}" viewBox="0 0 ${width} ${side + top + bottom}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    opts.title ? `<text x="${width / 2}" y="38" font-size="28" ${font}>${escapeXml(opts.title)}</text>` : '',
    `<g transform="translate(${left} ${top}) scale(${cell})"><path d="${d}" fill="#000" shape-rendering="crispEdges"/></g>`,
    `<text x="${width / 2}" y="${top + side + 24}" font-size="15" ${font}>${escapeXml(text)}</text>`,
    opts.caption ? `<text x="${width / 2}" y="${top + side + 52}" font-size="16" ${font}>${escapeXml(opts.caption)}</text>` : '',
    '</svg>',
  ].join('')
}
