import type { Transaction } from 'kysely';
import type { DocumentRow } from '../store/documents.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { MetricDeltas } from '../store/syncJobs.js';

/** The report lines an added or modified document earns, once per job between them. */
const FIRST_AMONG = ['ADDED', 'MODIFIED'] as const;

/**
 * PostgreSQL: what a connector batch's documents write that waits for the batch's end, each kind in one statement
 * (store/documents.ts insertMany, syncReport.ts recordFirstMany): its new documents and their first report lines.
 * Written one statement each, every document cost two round trips to the server: the socket writes alone (the
 * kernel's work on the loopback connection, counted to the server) were a third of the server's CPU in a profile of a
 * 20,000-file sync, and writing these together halved the server's CPU per document (about 520 to 260 µs).
 */
export class BatchWrites {
  private readonly rows: Omit<DocumentRow, 'doc_key'>[] = [];
  /** The first line asked for each document id (a later one of the same document could not be its first). */
  private readonly lines = new Map<string, [documentId: string, action: 'ADDED' | 'MODIFIED', at: number]>();

  /** A new document, named once in the batch (a second write of it would look it up) and with no access rows to write by its key. */
  insert(row: Omit<DocumentRow, 'doc_key'>): void {
    this.rows.push(row);
  }

  /** The report line of an added or modified document: recorded unless the job has one already. */
  line(documentId: string, action: 'ADDED' | 'MODIFIED', at: number): void {
    if (!this.lines.has(documentId)) this.lines.set(documentId, [documentId, action, at]);
  }

  /** Writes what waited, in `trx`; the metrics its report lines earn. */
  async flush(store: Store, executionId: string, trx: Transaction<Database>): Promise<MetricDeltas> {
    await store.documents.insertMany(this.rows.splice(0), trx);
    const recorded = await store.reports.recordFirstMany(executionId, [...this.lines.values()], [...FIRST_AMONG], trx);
    this.lines.clear();
    const deltas = { added: 0, modified: 0 };
    for (const action of recorded) deltas[action === 'ADDED' ? 'added' : 'modified']++;
    return deltas;
  }
}
