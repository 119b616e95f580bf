/**
 * SQLite searches on worker threads (search.readThreads): each thread (readThread.ts) runs the same
 * engine on a read-only connection of its own, so searches use every core and the main thread only
 * serves HTTP. A call goes to an idle thread; when every thread is busy, each is handed one more
 * call ahead of time (QUEUED_PER_THREAD), so that it goes from one search to the next without waiting
 * for the main thread, busy with HTTP under load, to read its answer and send it work. Calls beyond
 * those wait here for the first thread with room.
 *
 * Threads start when searches need them, not with the server: a server that is never searched
 * starts none, one searched by one client at a time starts one. A thread that dies (a crash, its
 * heap exhausted) fails only the call it was running (those queued behind it go to another thread),
 * and the next call starts a fresh one. A call running longer than search.statementTimeoutMs, or
 * whose client goes away, ends its thread: that is how a SQLite statement is stopped, which
 * better-sqlite3 cannot interrupt. A call whose client goes away while it is queued in a thread is
 * answered at once; the thread runs it anyway, and its answer is dropped.
 *
 * A thread loads its code from disk when it starts, long after the server did: a dist/ rebuilt or
 * upgraded in place under a running server (a module missing or half written for a moment) made the
 * first search after it fail with InternalServerException. A thread that fails before it is ready
 * (its code loaded, its connection open) ran no call: the calls sent to it wait for another thread,
 * started after a pause (threadStarts.ts); only when several starts in a row fail do the waiting
 * calls fail.
 */
import { Worker } from 'node:worker_threads';
import type { Collapse, DocumentSearch, FacetCount, FacetSpec, RankedPage, RankedPassages, SearchEngine, SortKey, StoredDocument } from './engine.js';
import type { ValueType } from './attributes.js';
import { PAST_STATEMENT_TIMEOUT, SearchCancelled, SearchInputError } from './errors.js';
import type { ReadCall, ReadMethod, ReadReply, ReadThreadData, ThreadError } from './readThread.js';
import type { Log } from '../observe/log.js';
import { ThreadStarts } from '../threadStarts.js';

export interface ReadPoolOptions {
  databaseFile: string;
  /** Threads at most (search.readThreads, ≥ 1). */
  threads: number;
  statementTimeoutMs: number;
  /** A thread's V8 heap (old generation), MB: a search needing more fails alone. */
  heapMb?: number;
  /** Told of threads that could not start. */
  log?: Pick<Log, 'warn' | 'error'>;
}

const DEFAULT_HEAP_MB = 256;
/** Calls a busy thread is handed besides the one it runs. */
const QUEUED_PER_THREAD = 1;

interface Job {
  call: Omit<ReadCall, 'id'>;
  signal?: AbortSignal;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** Its client went away, wherever the job is (aborted). */
  onAbort: () => void;
  /** The thread it was sent to; none while it waits here. */
  thread?: Thread;
  /** Answered or failed already: a later answer from its thread is dropped. */
  settled: boolean;
  /** The id it was last sent to a thread with (ReadCall.id). */
  id?: number;
}

interface Thread {
  worker: Worker;
  /** The call running first, then those sent ahead of time, in the order sent. */
  jobs: Job[];
  /** The time-out of the call running. */
  timer?: NodeJS.Timeout;
  ended: boolean;
  /** Its code loaded and its connection open (readThread.ts said so). */
  ready: boolean;
}

export class ReadPool implements SearchEngine {
  private readonly idle: Thread[] = [];
  private readonly threads = new Set<Thread>();
  private readonly waiting: Job[] = [];
  private nextId = 0;
  private closed = false;
  /** Thread starts that failed in a row (none since a thread was last ready). */
  private readonly starts = new ThreadStarts();
  /** No thread is started before this time (Date.now()), after a failed start. */
  private startsHeldUntil = 0;
  private startRetry?: NodeJS.Timeout;

  constructor(private readonly opts: ReadPoolOptions) {}

  rankDocuments(req: DocumentSearch, sort: SortKey[], offset: number, limit: number, collapse?: Collapse): Promise<RankedPage> {
    return this.call('rankDocuments', [bare(req), sort, offset, limit, collapse], req.signal) as Promise<RankedPage>;
  }

  rankPage(req: DocumentSearch, sort: SortKey[], offset: number, limit: number, bodyChars: number, also: number[] = [], collapse?: Collapse): Promise<{ ranked: RankedPage; documents: StoredDocument[] }> {
    return this.call('rankPage', [bare(req), sort, offset, limit, bodyChars, also, collapse], req.signal) as Promise<{ ranked: RankedPage; documents: StoredDocument[] }>;
  }

  countDocuments(req: DocumentSearch): Promise<number> {
    return this.call('countDocuments', [bare(req)], req.signal) as Promise<number>;
  }

  documents(docKeys: number[], bodyChars: number): Promise<StoredDocument[]> {
    return this.call('documents', [docKeys, bodyChars]) as Promise<StoredDocument[]>;
  }

  facet(req: DocumentSearch, spec: FacetSpec): Promise<FacetCount[]> {
    return this.call('facet', [bare(req), spec], req.signal) as Promise<FacetCount[]>;
  }

  valueTypes(indexId: string, key: string): Promise<ValueType[]> {
    return this.call('valueTypes', [indexId, key]) as Promise<ValueType[]>;
  }

  rankPassages(req: DocumentSearch, offset: number, limit: number): Promise<RankedPassages> {
    return this.call('rankPassages', [bare(req), offset, limit], req.signal) as Promise<RankedPassages>;
  }

  /** Threads running now (started and not ended). */
  get size(): number {
    return this.threads.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.startRetry);
    for (const job of this.waiting.splice(0)) this.settle(job, new Error('the search engine is closed'));
    await Promise.all([...this.threads].map((t) => this.end(t, new Error('the search engine is closed'))));
  }

  private call(method: ReadMethod, args: unknown[], signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the search engine is closed'));
    if (signal?.aborted) return Promise.reject(new SearchCancelled('the client went away'));
    return new Promise((resolve, reject) => {
      const job: Job = { call: { method, args }, signal, resolve, reject, onAbort: () => this.aborted(job), settled: false };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.waiting.push(job);
      this.pump();
    });
  }

  private aborted(job: Job): void {
    const t = job.thread;
    if (t && t.jobs[0] === job) {
      void this.end(t, new SearchCancelled('the client went away'));
      return;
    }
    if (!t) this.waiting.splice(this.waiting.indexOf(job) >>> 0, 1);
    this.settle(job, new SearchCancelled('the client went away'));
  }

  /** Answers a call once, its abort listener detached. */
  private settle(job: Job, outcome: Error | { value: unknown }): void {
    if (job.settled) return;
    job.settled = true;
    job.signal?.removeEventListener('abort', job.onAbort);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome.value);
  }

  private pump(): void {
    while (this.waiting.length) {
      let t = this.idle.pop();
      if (!t && this.threads.size < this.opts.threads && Date.now() >= this.startsHeldUntil) {
        try {
          t = this.start();
        } catch (e) {
          this.notStarted(undefined, e as Error); // new Worker() itself failed
          continue;
        }
      }
      t ??= this.withRoom();
      if (!t) return;
      this.send(t, this.waiting.shift()!);
    }
  }

  /** The least busy thread that can be handed a call ahead of time. */
  private withRoom(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.threads) if (t.jobs.length <= QUEUED_PER_THREAD && (!best || t.jobs.length < best.jobs.length)) best = t;
    return best;
  }

  private start(): Thread {
    const worker = new Worker(new URL('./readThread.js', import.meta.url), {
      workerData: { databaseFile: this.opts.databaseFile } satisfies ReadThreadData,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb ?? DEFAULT_HEAP_MB },
    });
    const t: Thread = { worker, jobs: [], ended: false, ready: false };
    this.threads.add(t);
    worker.on('message', (reply: ReadReply) => this.answered(t, reply));
    worker.on('error', (e: unknown) => this.lost(t, new Error(`the search thread failed: ${failure(e)}`)));
    worker.on('exit', (code) => this.lost(t, new Error(`the search thread exited (code ${code})`)));
    worker.unref(); // an idle thread must not keep the process alive
    return t;
  }

  private send(t: Thread, job: Job): void {
    job.thread = t;
    t.jobs.push(job);
    if (t.jobs.length === 1) this.timeOut(t);
    t.worker.ref();
    job.id = ++this.nextId;
    t.worker.postMessage({ id: job.id, ...job.call } satisfies ReadCall);
  }

  /** The time-out of the thread's first call, which it runs now. */
  private timeOut(t: Thread): void {
    t.timer = setTimeout(() => void this.end(t, new SearchCancelled(PAST_STATEMENT_TIMEOUT)), this.opts.statementTimeoutMs);
  }

  /** The thread's running call is over: its time-out goes, and the next call sent, if any, runs. */
  private next(t: Thread): Job | undefined {
    clearTimeout(t.timer);
    const job = t.jobs.shift();
    if (t.jobs.length && !t.ended) this.timeOut(t);
    return job;
  }

  private answered(t: Thread, reply: ReadReply): void {
    if ('ready' in reply) {
      t.ready = true;
      this.starts.ready();
      return;
    }
    // A thread answers its calls in the order sent; a reply for another (a thread whose code is not the
    // server's: files changed under it) is no answer to the call running, which then times out.
    if (!('id' in reply) || reply.id !== t.jobs[0]?.id) return;
    const job = this.next(t);
    if (!job) return;
    if (!t.jobs.length) {
      this.idle.push(t);
      t.worker.unref(); // an idle thread must not keep the process alive
    }
    this.settle(job, 'error' in reply ? rebuilt(reply.error) : { value: reply.value });
    this.pump();
  }

  /** A thread crashed or exited: ready, it failed the call it was running; not yet, it never started. */
  private lost(t: Thread, err: Error): void {
    if (t.ready) void this.end(t, err);
    else this.notStarted(t, err);
  }

  /**
   * A thread that could not start (`t`; none when new Worker() threw): no call ran on it, so none fails
   * for it. Its calls wait with the others for a thread started after a pause; when ThreadStarts'
   * attempts in a row have failed, the waiting calls fail with the reason.
   */
  private notStarted(t: Thread | undefined, err: Error): void {
    if (t) {
      if (t.ended) return;
      t.ended = true;
      clearTimeout(t.timer);
      this.threads.delete(t);
      const unrun = t.jobs.splice(0).filter((j) => !j.settled);
      for (const j of unrun) j.thread = undefined;
      this.waiting.unshift(...unrun);
      void t.worker.terminate();
    }
    if (this.closed) return;
    const { attempt, pauseMs: pause } = this.starts.failure();
    if (pause === undefined) {
      this.opts.log?.error({ error: err.message, attempts: attempt }, 'search threads could not start; the searches waiting for one fail');
      this.startsHeldUntil = 0;
      for (const j of this.waiting.splice(0)) this.settle(j, new Error(`the search threads could not start: ${err.message}`));
      return;
    }
    this.opts.log?.warn({ error: err.message, attempt, retryInMs: pause }, 'a search thread could not start; another is started after a pause');
    this.startsHeldUntil = Date.now() + pause;
    clearTimeout(this.startRetry);
    this.startRetry = setTimeout(() => {
      this.startsHeldUntil = 0; // a timer may fire a little before Date.now() reaches the time
      this.pump();
    }, pause);
  }

  /** Ends a thread (stopped, crashed or exited), failing the one call it was running; the calls sent after it wait for another thread. */
  private async end(t: Thread, err: Error): Promise<void> {
    if (t.ended) return;
    t.ended = true;
    const job = this.next(t);
    const unrun = t.jobs.splice(0).filter((j) => !j.settled);
    this.threads.delete(t);
    const at = this.idle.indexOf(t);
    if (at >= 0) this.idle.splice(at, 1);
    if (job) this.settle(job, err);
    for (const j of unrun) j.thread = undefined;
    this.waiting.unshift(...unrun);
    if (this.closed) for (const j of this.waiting.splice(0)) this.settle(j, new Error('the search engine is closed'));
    else this.pump();
    await t.worker.terminate();
  }
}

/**
 * What a thread's uncaught error says: an error of a class the thread boundary does not know (better-sqlite3's
 * SqliteError) arrives as a plain object holding only its code.
 */
function failure(e: unknown): string {
  const x = e as { message?: unknown; code?: unknown } | null | undefined;
  return String(x?.message ?? x?.code ?? e);
}

/** The request without its AbortSignal, which cannot cross to a thread (the pool watches it here). */
function bare(req: DocumentSearch): Omit<DocumentSearch, 'signal'> {
  const { signal: _, ...rest } = req;
  return rest;
}

/** The engine's own error classes survive the crossing: the domain tells a bad search from a fault by them. */
function rebuilt(e: ThreadError): Error {
  if (e.name === 'SearchInputError') return new SearchInputError(e.message);
  if (e.name === 'SearchCancelled') return new SearchCancelled(e.message);
  return Object.assign(new Error(e.message), { name: e.name, ...(e.code ? { code: e.code } : {}) });
}
