/**
 * One read thread of the search pool (readPool.ts): the same FTS5 engine (fts5.ts over engine.ts) on
 * a read-only connection of its own to the data dir's database. WAL lets it read committed data
 * while the main thread writes. It answers one call at a time, in the order they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SearchEngine } from './engine.js';
import { fts5Engine } from './fts5.js';

/** The engine's reading methods: what the pool forwards. */
export type ReadMethod = 'rankDocuments' | 'rankPage' | 'countDocuments' | 'documents' | 'facet' | 'valueTypes' | 'rankPassages';

export interface ReadCall {
  id: number;
  method: ReadMethod;
  args: unknown[];
}

/** An error crosses the thread boundary as its name, message and code (SQLite's, e.g. SQLITE_CORRUPT). */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

/** An answer to a call; or, once, `ready`: the thread's code is loaded and its connection open. */
export type ReadReply = { id: number; value: unknown } | { id: number; error: ThreadError } | { ready: true };

export interface ReadThreadData {
  databaseFile: string;
}

if (parentPort && (workerData as Partial<ReadThreadData> | undefined)?.databaseFile) {
  const port = parentPort;
  const engine: SearchEngine = fts5Engine((workerData as ReadThreadData).databaseFile);
  port.on('message', (call: ReadCall) => {
    void (async () => {
      try {
        const value = await (engine[call.method] as (...args: unknown[]) => Promise<unknown>).apply(engine, call.args);
        port.postMessage({ id: call.id, value } satisfies ReadReply);
      } catch (e) {
        const err = e as Error & { code?: unknown };
        port.postMessage({ id: call.id, error: { name: err.constructor?.name ?? 'Error', message: err.message, ...(typeof err.code === 'string' ? { code: err.code } : {}) } } satisfies ReadReply);
      }
    })();
  });
  // Started: a thread that fails before this ran no call (the pool starts another for them).
  port.postMessage({ ready: true } satisfies ReadReply);
}
