import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'

const here = fileURLToPath(new URL('.', import.meta.url))
const brotli = promisify(brotliCompress)
const gz = promisify(gzip)

/**
 * Writes a .br and a .gz beside every script, stylesheet and SVG of the build, compressed once
 * at the highest levels (too slow to do per request), for src/plugins/web.ts to send to a
 * browser that accepts them. Files under 1 KiB, and files that would not shrink, are left as
 * they are. index.html is not among them: the server adds to it and compresses it per request.
 */
function precompress(): Plugin {
  return {
    name: 'xinan-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? ''
      const files = Object.keys(bundle).filter((f) => /\.(js|css|svg)$/.test(f))
      await Promise.all(files.map(async (file) => {
        const raw = await readFile(join(dir, file))
        if (raw.length < 1024) return
        const [br, gzipped] = await Promise.all([
          brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
          gz(raw, { level: 9 }),
        ])
        if (br.length < raw.length) await writeFile(join(dir, `${file}.br`), br)
        if (gzipped.length < raw.length) await writeFile(join(dir, `${file}.gz`), gzipped)
      }))
    },
  }
}

/**
 * The web client is built into dist/web and served by the API itself (src/plugins/web.ts),
 * so it runs under the API's Content-Security-Policy: no inline scripts, same origin only.
 */
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Vite's module-preload polyfill is not inline, but modern browsers do not need it.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite src/web` during development: the API runs on :3000.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
})
