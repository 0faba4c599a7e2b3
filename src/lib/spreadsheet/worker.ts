import { parentPort } from 'node:worker_threads'
import { AppError } from '../errors.js'
import { parseSheet } from './parse.js'
import { causeOf, SheetRefused, unreadableBecause, type FileKind, type SheetLimits, type TaskFailure } from './types.js'

/**
 * The parsing thread: one message per file, answered with the sheet or the refusal; or one
 * per task (reader.ts runInWorker), answered with its value, after any parts it emitted.
 */

interface Parse { id: number; file: Uint8Array; kind: FileKind; limits: SheetLimits }
interface Task { id: number; task: { module: string; fn: string; args: unknown } }

type TaskFn = (args: unknown, emit: (part: unknown) => void) => unknown

function failureOf(err: unknown): TaskFailure {
  if (err instanceof SheetRefused) return err.failure
  if (err instanceof AppError) return { statusCode: err.statusCode, code: err.code, params: err.params, ...(err.details !== undefined ? { details: err.details } : {}) }
  // A fault in a task is the server's, not the file's; its text stays in this thread, where it failed goes to the log.
  return { statusCode: 500, code: 'internal', params: {}, cause: causeOf(err) }
}

async function runTask({ id, task }: Task): Promise<void> {
  try {
    const mod = (await import(task.module)) as Record<string, TaskFn | undefined>
    const fn = mod[task.fn]
    if (typeof fn !== 'function') throw new Error(`no task ${task.fn}`)
    const value = await fn(task.args, (part) => parentPort!.postMessage({ id, part }))
    parentPort!.postMessage({ id, value })
  } catch (err) {
    parentPort!.postMessage({ id, failure: failureOf(err) })
  }
}

parentPort!.on('message', (job: Parse | Task) => {
  if ('task' in job) { void runTask(job); return }
  const file = Buffer.from(job.file.buffer, job.file.byteOffset, job.file.byteLength)
  parseSheet(file, job.kind, job.limits).then(
    (sheet) => parentPort!.postMessage({ id: job.id, sheet }),
    (err: unknown) => parentPort!.postMessage({
      id: job.id,
      failure: (err instanceof SheetRefused ? err : unreadableBecause(err)).failure,
    }),
  )
})
