/**
 * SQLite searches on worker threads (search.readThreads): each thread (readThread.ts) runs the same
 * engine on a read-only connection of its own, so searches use every core and the main thread only
 * serves HTTP. A call goes to an idle thread, or waits for the first to become idle (a thread runs
 * one call at a time, so a slow search never holds up calls queued behind it elsewhere).
 *
 * Threads start when searches need them, not with the server: a server that is never searched
 * starts none, one searched by one client at a time starts one. A thread that dies (a crash, its
 * heap exhausted) fails only the call it was running, and the next call starts a fresh one. A call
 * running longer than search.statementTimeoutMs, or whose client goes away, ends its thread: that
 * is how a SQLite statement is stopped, which better-sqlite3 cannot interrupt.
 */
import { Worker } from 'node:worker_threads';
import type { Collapse, DocumentSearch, FacetCount, FacetSpec, RankedPage, RankedPassages, SearchEngine, SortKey, StoredDocument } from './engine.js';
import type { ValueType } from './attributes.js';
import { SearchCancelled, SearchInputError } from './errors.js';
import type { ReadCall, ReadMethod, ReadReply, ReadThreadData, ThreadError } from './readThread.js';

export interface ReadPoolOptions {
  databaseFile: string;
  /** Threads at most (search.readThreads, ≥ 1). */
  threads: number;
  statementTimeoutMs: number;
  /** A thread's V8 heap (old generation), MB: a search needing more fails alone. */
  heapMb?: number;
}

const DEFAULT_HEAP_MB = 256;

interface Job {
  call: Omit<ReadCall, 'id'>;
  signal?: AbortSignal;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** Detaches the abort listener used while the job waits. */
  unwait(): void;
}

interface Thread {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
  ended: boolean;
}

export class ReadPool implements SearchEngine {
  private readonly idle: Thread[] = [];
  private readonly threads = new Set<Thread>();
  private readonly waiting: Job[] = [];
  private nextId = 0;
  private closed = false;

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
    for (const job of this.waiting.splice(0)) {
      job.unwait();
      job.reject(new Error('the search engine is closed'));
    }
    await Promise.all([...this.threads].map((t) => this.end(t, new Error('the search engine is closed'))));
  }

  private call(method: ReadMethod, args: unknown[], signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the search engine is closed'));
    if (signal?.aborted) return Promise.reject(new SearchCancelled('the client went away'));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(job) >>> 0, 1);
        reject(new SearchCancelled('the client went away'));
      };
      const job: Job = { call: { method, args }, signal, resolve, reject, unwait: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length) {
      const t = this.idle.pop() ?? (this.threads.size < this.opts.threads ? this.start() : undefined);
      if (!t) return;
      this.run(t, this.waiting.shift()!);
    }
  }

  private start(): Thread {
    const worker = new Worker(new URL('./readThread.js', import.meta.url), {
      workerData: { databaseFile: this.opts.databaseFile } satisfies ReadThreadData,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb ?? DEFAULT_HEAP_MB },
    });
    const t: Thread = { worker, ended: false };
    this.threads.add(t);
    worker.on('message', (reply: ReadReply) => this.answered(t, reply));
    worker.on('error', (e: Error) => void this.end(t, new Error(`the search thread failed: ${e.message}`)));
    worker.on('exit', (code) => void this.end(t, new Error(`the search thread exited (code ${code})`)));
    worker.unref(); // an idle thread must not keep the process alive
    return t;
  }

  private run(t: Thread, job: Job): void {
    job.unwait();
    t.job = job;
    t.timer = setTimeout(() => void this.end(t, new SearchCancelled('the search ran past the statement time-out (search.statementTimeoutMs)')), this.opts.statementTimeoutMs);
    if (job.signal) {
      t.onAbort = () => void this.end(t, new SearchCancelled('the client went away'));
      job.signal.addEventListener('abort', t.onAbort, { once: true });
    }
    t.worker.ref();
    t.worker.postMessage({ id: ++this.nextId, ...job.call } satisfies ReadCall);
  }

  /** The thread's job is over: it no longer holds a timer, an abort listener or the process open. */
  private release(t: Thread): Job | undefined {
    const job = t.job;
    t.job = undefined;
    clearTimeout(t.timer);
    if (t.onAbort) job?.signal?.removeEventListener('abort', t.onAbort);
    t.onAbort = undefined;
    if (!t.ended) t.worker.unref();
    return job;
  }

  private answered(t: Thread, reply: ReadReply): void {
    const job = this.release(t);
    if (!job) return;
    this.idle.push(t);
    if ('error' in reply) job.reject(rebuilt(reply.error));
    else job.resolve(reply.value);
    this.pump();
  }

  /** Ends a thread (stopped, crashed or exited), failing the one call it was running. */
  private async end(t: Thread, err: Error): Promise<void> {
    if (t.ended) return;
    t.ended = true;
    const job = this.release(t);
    this.threads.delete(t);
    const at = this.idle.indexOf(t);
    if (at >= 0) this.idle.splice(at, 1);
    job?.reject(err);
    if (!this.closed) this.pump();
    await t.worker.terminate();
  }
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
