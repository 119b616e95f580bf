/**
 * The sync writer thread (threadWriter.ts starts it): a connector sync's batches written through a
 * SQLite connection of its own to the data dir's database, one transaction at a time, in the order
 * they come. WAL lets the main thread and the read threads read committed data meanwhile; a write of
 * the main thread waits (busy_timeout) for the transaction under way, which sync.writeTransactionMs
 * keeps short.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import { openSqlite } from '../store/database.js';
import { Store } from '../store/store.js';
import { DocumentIndexer } from './documentIndexer.js';
import { writeResults, type JobRef, type Result } from './pipeline.js';

export interface WriterThreadData {
  databaseFile: string;
  limits: Config['limits'];
}

export interface WriteCall {
  id: number;
  job: JobRef;
  items: Result[];
  force: boolean;
  /** The main thread's clock when the batch was sent: the time its rows and report lines carry. */
  now: number;
}

/**
 * `ready` first, once the thread's code is loaded and its connection open; then one reply per call. An
 * error crosses the thread boundary as its name, message and code (SQLite's, e.g. SQLITE_TOOBIG).
 */
export type WriteReply = { ready: true } | { id: number; value: boolean } | { id: number; error: { name: string; message: string; code?: string } };

/**
 * The thread's nice value (on Linux it applies to this thread alone): when the cores are busy, the
 * threads that answer requests (the main thread, the read threads) get the CPU first, and the sync
 * takes what they leave. Measured at 20,000 files with 16 Query and 4 ListDataSourceSyncJobs clients:
 * ListDataSourceSyncJobs p99 during the sync 1.57× idle, against 4.18× at the same priority; the sync
 * wrote 45 documents/s under that load instead of 205, and as fast as before when the API was quiet.
 * Mild, so that a transaction holding the write lock still finishes while a request waits for it.
 */
const NICE = 5;

/** How long a batch waits for the main thread's write lock before it fails. */
const WRITER_BUSY_TIMEOUT_MS = 60_000;

const data = workerData as Partial<WriterThreadData> | undefined;
if (parentPort && data?.databaseFile && data.limits) {
  const port = parentPort;
  try {
    setPriority(NICE);
  } catch {
    // Not permitted here (some sandboxes): the thread runs at the process's priority.
  }
  // Waiting here blocks no request: a main-thread transaction of any length (an index's documents
  // deleted, a queue of documents applied) delays the sync instead of failing its batch.
  const conn = openSqlite(data.databaseFile, WRITER_BUSY_TIMEOUT_MS);
  // A statement with triggers (a document's insert: attribute rows, text pending) keeps a statement
  // journal, a copy of each page it changes that the transaction had changed already; past 64 KB it
  // spilled to a temporary file, written with a pwrite per page: 15 % of a database sync's CPU. In
  // memory it is one statement's pages at most, dropped when the statement ends. This connection runs
  // only the sync's writes (no large sorts, whose spill would be held in memory too).
  conn.sqlite!.pragma('temp_store = MEMORY');
  const store = Store.over(conn);
  let now = 0;
  const clock = () => now;
  // Applies connectors' batches only: S3Path documents are fetched by the main thread's indexer.
  const indexer = new DocumentIndexer(store, clock, data.limits, () => Promise.reject(new Error('the sync writer thread fetches nothing')));
  let queue: Promise<void> = Promise.resolve();
  port.postMessage({ ready: true } satisfies WriteReply);
  port.on('message', (call: WriteCall) => {
    queue = queue.then(async () => {
      now = call.now;
      try {
        port.postMessage({ id: call.id, value: await writeResults(store, indexer, clock, call.job, call.items, call.force) } satisfies WriteReply);
      } catch (e) {
        const err = e as Error & { code?: unknown };
        port.postMessage({ id: call.id, error: { name: err.name, message: err.message, ...(typeof err.code === 'string' ? { code: err.code } : {}) } } satisfies WriteReply);
      }
    });
  });
}
