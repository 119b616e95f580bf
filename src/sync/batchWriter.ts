import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';
import type { DocumentIndexer } from './documentIndexer.js';
import { writeResults, type JobRef, type Result } from './pipeline.js';

/**
 * Where a connector sync's batches are written, each in one transaction (writeResults). On SQLite a
 * thread of its own (writerThread.ts), so that indexing never holds the thread that answers
 * requests; on PostgreSQL this thread, whose writes wait on the database server, not on its CPU.
 */
export interface BatchWriter {
  /** writeResults of these items: false when the job can no longer write (nothing was written). */
  write(job: JobRef, items: Result[], force: boolean): Promise<boolean>;
  close(): Promise<void>;
}

/** Batches written on this thread, through the store's own connection. */
export function inlineWriter(store: Store, indexer: DocumentIndexer, clock: Clock): BatchWriter {
  return {
    write: (job, items, force) => writeResults(store, indexer, clock, job, items, force),
    close: async () => undefined,
  };
}
