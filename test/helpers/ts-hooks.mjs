// Module hooks the test runner loads instead of tsx (.taprc): TypeScript is compiled by esbuild
// once per file content and kept in .tmp/ts-cache, so each of the suite's few hundred processes
// only reads the compiled text. tsx spent ≈0.5 CPU-s starting its compiler service in every
// test process, and as much again looking beside every module it resolved. The sources are
// written for this: every relative import names a .js file (tsconfig: NodeNext), types are
// imported with `import type` (verbatimModuleSyntax), so each file compiles on its own.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { fileURLToPath, pathToFileURL, URL } from 'node:url'

const cacheDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.tmp', 'ts-cache')
let esbuild

/**
 * `./x.js` names `./x.ts` when only the TypeScript source exists; the web client's modules
 * (bundler resolution, which some tests read: the label catalogue) name `./x` for `./x.ts(x)`
 * or `./x/index.ts(x)`.
 */
export async function resolve(specifier, context, nextResolve) {
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && context.parentURL?.startsWith('file:')) {
    const path = fileURLToPath(new URL(specifier, context.parentURL))
    if (!path.includes('/node_modules/') && !isFile(path)) {
      const base = path.endsWith('.js') ? path.slice(0, -3) : path
      const candidates = path.endsWith('.js') ? [`${base}.ts`, `${base}.tsx`]
        : /\.[a-z]+$/i.test(path) ? [] : [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]
      const found = candidates.find(isFile)
      if (found) return { url: pathToFileURL(found).href, format: 'module', shortCircuit: true }
    }
  }
  return nextResolve(specifier, context)
}

function isFile(path) {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !/\.tsx?$/.test(url)) return nextLoad(url, context)
  const path = fileURLToPath(url)
  const source = readFileSync(path, 'utf8')
  // The path is part of the key: the inline source map names the file.
  const cached = join(cacheDir, `${createHash('sha1').update(path).update('\0').update(source).digest('hex')}.js`)
  let code
  try {
    code = readFileSync(cached, 'utf8')
  } catch {
    esbuild ??= await import('esbuild')
    code = esbuild.transformSync(source, {
      loader: path.endsWith('.tsx') ? 'tsx' : 'ts', jsx: 'automatic', format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: path,
    }).code
    mkdirSync(cacheDir, { recursive: true })
    // Parallel test files may compile the same module: write aside, then rename into place.
    const tmp = `${cached}.${process.pid}.tmp`
    writeFileSync(tmp, code)
    renameSync(tmp, cached)
  }
  return { format: 'module', source: code, shortCircuit: true }
}
