import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const here = fileURLToPath(new URL('.', import.meta.url))

/**
 * The web client is built into dist/web and served by the API itself (src/plugins/web.ts),
 * so it runs under the API's Content-Security-Policy: no inline scripts, same origin only.
 */
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
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
