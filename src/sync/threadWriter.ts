/**
 * SQLite: a connector sync's batches written on a thread of its own (writerThread.ts), not on the
 * thread that answers requests. The thread starts with the first batch, holds the process open only
 * while a batch is being written, and ends after IDLE_MS without one (its memory, ~40 MB, returned). One that dies (a crash, its heap exhausted) fails the batches
 * it was given, which the pipeline retries one document at a time, and the next batch starts a fresh
 * one; what it had not committed is rolled back, as after a crash of the process.
 *
 * A thread that dies before it is ready (its code loaded, its connection open: a dist/ rebuilt or
 * upgraded in place under the running server) wrote nothing: its batches wait for another thread,
 * started after a pause, and fail only when several starts in a row have failed (threadStarts.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Clock } from '../domain/clock.js';
import type { Log } from '../observe/log.js';
import { ThreadStarts } from '../threadStarts.js';
import type { BatchWriter } from './batchWriter.js';
import type { JobRef, Result } from './pipeline.js';
import type { WriteCall, WriteReply, WriterThreadData } from './writerThread.js';

const IDLE_MS = 60_000;
/**
 * A batch's documents live for its transaction, its rows for a statement: a young generation of 16 MB
 * collects them as cheaply as V8's default, which lets it grow to 48 MB once the thread writes fast.
 * Measured writing 20,000 rows through this thread: peak RSS 178 -> 166 MB, CPU per row the same
 * (8 MB saved 21 MB for 3 % more CPU; 4 MB cost 27 %).
 */
const YOUNG_GENERATION_MB = 16;

interface Pending {
  call: WriteCall;
  resolve(value: boolean): void;
  reject(err: Error): void;
}

export class ThreadWriter implements BatchWriter {
  private worker: Worker | undefined;
  /** The running thread said it is ready: a batch it loses now may have been written in part. */
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  private idle: NodeJS.Timeout | undefined;
  private readonly starts = new ThreadStarts();
  /** The pause after a thread that could not start: batches wait for the next one. */
  private startRetry: NodeJS.Timeout | undefined;

  constructor(
    private readonly data: WriterThreadData,
    private readonly clock: Clock,
    /** Told after each committed batch: what this thread caches of the sync jobs' rows is stale. */
    private readonly committed: () => void,
    private readonly log?: Pick<Log, 'warn' | 'error'>,
  ) {}

  write(job: JobRef, items: Result[], force: boolean): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('the sync writer is closed'));
    clearTimeout(this.idle);
    return new Promise((resolve, reject) => {
      const p: Pending = { call: { id: ++this.nextId, job, items, force, now: this.clock() }, resolve, reject };
      this.pending.set(p.call.id, p);
      if (this.startRetry) return; // sent to the thread started after the pause
      const worker = this.worker ?? this.start();
      if (worker) this.send(worker, p);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    clearTimeout(this.startRetry);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the sync writer is closed'));
    await worker?.terminate();
  }

  private send(worker: Worker, p: Pending): void {
    try {
      worker.postMessage(p.call);
    } catch (e) {
      this.pending.delete(p.call.id);
      return p.reject(e as Error); // not sent (an item that cannot be copied to the thread)
    }
    worker.ref();
  }

  /** A new thread; none when one cannot even be created (then as a thread that could not start). */
  private start(): Worker | undefined {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./writerThread.js', import.meta.url), { workerData: this.data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    } catch (e) {
      this.notStarted(e as Error);
      return undefined;
    }
    worker.on('message', (reply: WriteReply) => this.answered(worker, reply));
    worker.on('error', (e: Error) => this.lost(worker, new Error(`the sync writer thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.lost(worker, new Error(`the sync writer thread exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    this.ready = false;
    return worker;
  }

  private answered(worker: Worker, reply: WriteReply): void {
    if ('ready' in reply) {
      if (this.worker === worker) this.ready = true;
      this.starts.ready();
      return;
    }
    const p = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (!this.pending.size) {
      worker.unref();
      this.idle = setTimeout(() => this.retire(worker), IDLE_MS).unref();
    }
    if ('error' in reply) return p?.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }, reply.error.code ? { code: reply.error.code } : {}));
    if (reply.value) this.committed();
    p?.resolve(reply.value);
  }

  /** No batch for IDLE_MS: the thread ends, and the next batch starts another. */
  private retire(worker: Worker): void {
    if (this.worker !== worker || this.pending.size) return;
    this.worker = undefined;
    void worker.terminate();
  }

  /** The thread is gone: ready, every batch it was given fails, and the next one starts another; not yet, it never started. */
  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.ready) this.failAll(err);
    else {
      void worker.terminate();
      this.notStarted(err);
    }
  }

  /** A thread that could not start wrote nothing: its batches are sent to one started after a pause, or fail after the last attempt. */
  private notStarted(err: Error): void {
    if (this.closed) return;
    const { attempt, pauseMs } = this.starts.failure();
    if (pauseMs === undefined) {
      this.log?.error({ error: err.message, attempts: attempt }, 'the sync writer thread could not start; the batches waiting for it fail');
      return this.failAll(new Error(`the sync writer thread could not start: ${err.message}`));
    }
    this.log?.warn({ error: err.message, attempt, retryInMs: pauseMs }, 'the sync writer thread could not start; another is started after a pause');
    clearTimeout(this.startRetry);
    this.startRetry = setTimeout(() => {
      this.startRetry = undefined;
      if (this.closed || !this.pending.size || this.worker) return;
      const worker = this.start();
      if (worker) for (const p of [...this.pending.values()]) this.send(worker, p);
    }, pauseMs);
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}
