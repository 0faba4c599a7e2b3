import { parentPort } from 'node:worker_threads'
import { parseSheet } from './parse.js'
import { SheetRefused, type FileKind, type SheetLimits } from './types.js'

/** The parsing thread: one message per file, answered with the sheet or the refusal. */

interface Job { id: number; file: Uint8Array; kind: FileKind; limits: SheetLimits }

parentPort!.on('message', (job: Job) => {
  const file = Buffer.from(job.file.buffer, job.file.byteOffset, job.file.byteLength)
  parseSheet(file, job.kind, job.limits).then(
    (sheet) => parentPort!.postMessage({ id: job.id, sheet }),
    (err: unknown) => parentPort!.postMessage({
      id: job.id,
      failure: err instanceof SheetRefused ? err.failure : { statusCode: 422, code: 'import_unreadable', params: {} },
    }),
  )
})
