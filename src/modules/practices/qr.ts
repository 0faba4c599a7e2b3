/**
 * The letter-box poster's QR symbol. The `qrcode` package encodes (ISO/IEC 18004); this file
 * only fixes the choices the poster needs — one byte-mode segment (UTF-8), error-correction
 * level M, the smallest version that fits, the mask the standard's penalty rules pick — and
 * draws the symbol as a print-ready SVG with a title and the link spelled out.
 */

import QRCode from 'qrcode'

export interface QrCode {
  version: number
  size: number
  mask: number
  /** modules[y][x]: true is dark. */
  modules: boolean[][]
}

/**
 * Encodes text (UTF-8, byte mode, level M). `mask` forces a mask pattern (0–7); tests use it.
 * Text too long for version 40-M is a RangeError.
 */
export function encodeQr(text: string, opts: { mask?: number } = {}): QrCode {
  let qr: QRCode.QRCode
  try {
    // One byte segment: the library would otherwise split a link into numeric and
    // alphanumeric runs, which readers handle too but the tests' reference symbols do not use.
    qr = QRCode.create([{ data: new TextEncoder().encode(text), mode: 'byte' }], {
      errorCorrectionLevel: 'M',
      ...(opts.mask === undefined ? {} : { maskPattern: opts.mask as QRCode.QRCodeMaskPattern }),
    })
  } catch (err) {
    throw new RangeError(`cannot encode ${text.length} characters as a QR code: ${(err as Error).message.trim()}`, { cause: err })
  }
  const { size } = qr.modules
  const modules = Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => qr.modules.get(y, x) === 1))
  return { version: qr.version, size, mask: qr.maskPattern ?? -1, modules }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A print-ready SVG: the code with its four-module quiet zone, a title above and the link
 * spelled out below (for anyone who cannot scan). Presentation attributes only, no style
 * element or attribute, so the page's Content-Security-Policy needs nothing for it.
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
