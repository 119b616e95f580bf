// PDF: extraction happens in one long-lived worker thread (PDF.js takes ~150 ms to load, too much
// per document). Jobs run one at a time; a job that passes its time limit, is aborted, or kills the
// worker ends with the worker, and the next job starts a fresh one.
import { Worker } from 'node:worker_threads';
import type { PdfReply, PdfRequest } from './pdfWorker.js';
import { ExtractError, type Guard } from './text.js';
import type { Output } from './types.js';

/** Heap for the worker: PDF.js holds a whole document plus its parsed objects. */
const WORKER_HEAP_MB = 1024;

let worker: Worker | undefined;
let queue: Promise<unknown> = Promise.resolve();

function startWorker(): Worker {
  const w = new Worker(new URL('./pdfWorker.js', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  w.unref();
  w.on('error', () => undefined); // reported to the running job through its own listener
  return w;
}

function stopWorker(w: Worker): void {
  if (worker === w) worker = undefined;
  void w.terminate();
}

function run(content: Uint8Array, maxTextBytes: number, timeoutMs: number, guard: Guard, signal?: AbortSignal): Promise<PdfReply> {
  guard.check(); // aborted while waiting for its turn
  const w = (worker ??= startWorker());
  return new Promise<PdfReply>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      w.unref(); // an idle worker must not keep the process alive
    };
    const fail = (err: Error): void => {
      done();
      stopWorker(w);
      reject(err);
    };
    const onMessage = (reply: PdfReply): void => {
      done();
      resolve(reply);
    };
    const onError = (err: Error): void => fail(new Error(err.message));
    const onExit = (code: number): void => fail(new Error(`PDF worker exited with code ${code}`));
    const onAbort = (): void => fail(new ExtractError('aborted'));
    const timer = setTimeout(() => fail(new ExtractError(`PDF extraction timed out after ${timeoutMs} ms`)), timeoutMs);
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    w.ref();
    // A copy with its own ArrayBuffer for the worker to own. Not content.slice(): on a Buffer that
    // is a view, and transferring its buffer would detach Node's shared Buffer pool.
    const data = new Uint8Array(content.byteLength);
    data.set(content);
    const req: PdfRequest = { data, maxTextBytes };
    w.postMessage(req, [data.buffer]);
  });
}

export async function extractPdf(
  content: Uint8Array,
  maxTextBytes: number,
  timeoutMs: number,
  guard: Guard,
  signal?: AbortSignal,
): Promise<Output> {
  const job = queue.then(() => run(content, maxTextBytes, timeoutMs, guard, signal));
  queue = job.catch(() => undefined);
  const reply = await job;
  if (!reply.ok) throw new ExtractError(reply.reason);
  return { text: reply.text, title: reply.title };
}
