// Worker threads for the extractions that must not run on the main thread: PDFs (PDF.js can loop
// on a hostile file and takes ~150 ms to load, so its workers are long-lived) and big documents
// (seconds of parsing would stall the server, and its lease heartbeats). A worker runs one job at a
// time; a job that passes its time limit, is aborted, or kills its worker ends with that worker,
// and the pool starts a fresh one for the next job.
//
// A worker's V8 heap is bounded by its resource limits, but the ArrayBuffers a parser allocates
// (PDF.js inflates streams into them) are not: while jobs run, a watchdog reads the process's
// resident memory and ends the running jobs, and their workers, once it passes limits.maxRssBytes.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ExtractError } from './text.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

/** Leave a core to the main thread. */
const POOL_SIZE = Math.max(1, Math.min(4, availableParallelism() - 1));
/** Heap per worker: PDF.js holds a whole document plus its parsed objects. */
const WORKER_HEAP_MB = 512;
/** How often the watchdog reads the resident memory: PDF.js inflates ~20 MB in that time at most. */
const RSS_SAMPLE_MS = 20;

interface Job {
  req: WorkerRequest;
  signal?: AbortSignal;
  resolve(reply: WorkerReply): void;
  reject(err: Error): void;
  /** Detaches the abort listener used while the job waits. */
  unwait(): void;
}

const idle: Worker[] = [];
const waiting: Job[] = [];
let live = 0;
/** Each running job's memory limit and how to end it. */
const running = new Map<Worker, { maxRssBytes: number; fail(err: Error): void }>();
let watchdog: NodeJS.Timeout | undefined;

const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024));

function watchMemory(): void {
  const rss = process.memoryUsage.rss();
  for (const { maxRssBytes, fail } of [...running.values()]) {
    if (rss > maxRssBytes) {
      fail(new ExtractError(`stopped: the process's memory reached ${mb(rss)} MB, over the maxRssBytes limit of ${mb(maxRssBytes)} MB`));
    }
  }
}

function startWorker(): Worker {
  const w = new Worker(new URL('./worker.js', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  w.on('error', () => undefined); // reported to the running job through its own listener
  w.unref(); // an idle worker must not keep the process alive
  live++;
  return w;
}

function retire(w: Worker): void {
  live--;
  void w.terminate();
}

function pump(): void {
  while (waiting.length > 0) {
    const w = idle.pop() ?? (live < POOL_SIZE ? startWorker() : undefined);
    if (!w) return;
    const job = waiting.shift()!;
    job.unwait();
    run(w, job);
  }
}

function run(w: Worker, job: Job): void {
  const { req, signal } = job;
  const done = (): void => {
    running.delete(w);
    if (running.size === 0) {
      clearInterval(watchdog);
      watchdog = undefined;
    }
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    w.off('message', onMessage);
    w.off('error', onError);
    w.off('exit', onExit);
    w.unref();
  };
  const fail = (err: Error): void => {
    done();
    retire(w);
    job.reject(err);
    pump();
  };
  const onMessage = (reply: WorkerReply): void => {
    done();
    idle.push(w);
    job.resolve(reply);
    pump();
  };
  const onError = (err: Error): void =>
    fail(
      (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new ExtractError(`out of memory: extracting it needs more than the worker's ${WORKER_HEAP_MB} MB heap`)
        : err,
    );
  const onExit = (code: number): void => fail(new Error(`extraction worker exited with code ${code}`));
  const onAbort = (): void => fail(new ExtractError('aborted'));
  // The worker polls the same deadline; this timer is for the parser that never comes back to poll.
  const timer = setTimeout(
    () => fail(new ExtractError(`timed out after ${req.limits.timeoutMs} ms`)),
    req.limits.timeoutMs,
  );
  w.on('message', onMessage);
  w.on('error', onError);
  w.on('exit', onExit);
  signal?.addEventListener('abort', onAbort, { once: true });
  running.set(w, { maxRssBytes: req.limits.maxRssBytes, fail });
  watchdog ??= setInterval(watchMemory, RSS_SAMPLE_MS).unref();
  w.ref();
  w.postMessage(req, [req.content.buffer as ArrayBuffer]);
  // A job started while memory is already over its limit is stopped at once, not at the next sample
  // (a small document would otherwise finish before the watchdog ever looked).
  watchMemory();
}

/** Runs an extraction in a worker. `req.content` must own its ArrayBuffer: it is transferred. */
export function runInWorker(req: WorkerRequest, signal?: AbortSignal): Promise<WorkerReply> {
  return new Promise<WorkerReply>((resolve, reject) => {
    const onAbort = (): void => {
      const i = waiting.indexOf(job);
      if (i >= 0) waiting.splice(i, 1);
      reject(new ExtractError('aborted'));
    };
    const job: Job = { req, signal, resolve, reject, unwait: () => signal?.removeEventListener('abort', onAbort) };
    signal?.addEventListener('abort', onAbort, { once: true });
    waiting.push(job);
    pump();
  });
}
