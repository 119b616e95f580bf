/**
 * PostgreSQL plans every search by its statistics of the document tables, which only ANALYZE makes.
 * Right after a bulk load they describe the tables as they were before it (a new table: none at all),
 * and the planner guesses: over 20,000 freshly synced documents it took the btree on index_id for a
 * handful of rows and tested `search_vector @@` on every document of the index, 500 ms a search,
 * instead of the GIN index (15 ms). Autovacuum's ANALYZE comes, when it is on, up to a minute later
 * (autovacuum_naptime) and not at all when it is off; kendrite knows when it has just written a
 * large share of the documents, so it analyzes them itself then.
 *
 * The rule is autovacuum's own (autovacuum_analyze_scale_factor 0.1), with a floor: once this process
 * has written, since its last ANALYZE, at least MIN_ROWS documents and more than a tenth of what the
 * table held at that ANALYZE (pg_class.reltuples), the document tables are analyzed, in the background,
 * after the writes committed, on one of the store's pooled connections (never inside a sync's transaction).
 * A 20,000-document first sync is analyzed at 1,000, 2,000, … 10,000, 11,000, 12,100 … documents, so
 * searches during the sync are planned on statistics of the documents already there too.
 *
 * The same step moves the GIN index's pending list (documents written since its last cleanup, which
 * every search scans in full: up to gin_pending_list_limit, 4 MB) into the index proper, as
 * autovacuum's vacuum would.
 */
import { sql, type Kysely } from 'kysely';
import type { Log } from '../observe/log.js';
import type { Database } from './schema.js';

/** Documents written before a first ANALYZE is worth it (autovacuum's threshold is 50; an ANALYZE of 1,000 rows takes milliseconds). */
const MIN_ROWS = 1_000;
/** …and this share of the documents the last ANALYZE counted. */
const SHARE = 0.1;
/** The tables a document write grows in proportion, which searches join. */
const TABLES = 'documents, document_attributes, document_access';

export interface PlannerStatistics {
  /** `rows` documents were written (added, changed or removed) and committed. */
  changed(rows: number): void;
  /** Resolves when no ANALYZE is under way (before the connection closes). */
  settled(): Promise<void>;
}

/** SQLite's planner reads no statistics on these paths: the text match (FTS5) drives every search. */
export const noPlannerStatistics: PlannerStatistics = { changed: () => undefined, settled: async () => undefined };

export class PostgresPlannerStatistics implements PlannerStatistics {
  /** Documents written since the last ANALYZE this process ran. */
  private pending = 0;
  /** Written documents that make the next ANALYZE due (MIN_ROWS until reltuples has been read). */
  private due = MIN_ROWS;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Log,
  ) {}

  changed(rows: number): void {
    this.pending += rows;
    if (this.pending >= this.due && !this.running) this.running = this.analyzeWhileDue().finally(() => (this.running = undefined));
  }

  async settled(): Promise<void> {
    await this.running;
  }

  private async analyzeWhileDue(): Promise<void> {
    try {
      // Writes that commit while an ANALYZE runs count towards the next one.
      while (this.pending >= (this.due = await this.threshold())) {
        const rows = this.pending;
        this.pending = 0;
        const started = performance.now();
        await sql`ANALYZE ${sql.raw(TABLES)}`.execute(this.db);
        await sql`SELECT gin_clean_pending_list('documents_search'::regclass)`.execute(this.db);
        this.log.debug({ documentsWritten: rows, ms: Math.round(performance.now() - started) }, 'analyzed the document tables after a bulk write');
      }
    } catch (e) {
      // The statistics stay as they were (autovacuum may still come); the writes themselves succeeded.
      this.pending = 0;
      this.log.warn({ error: (e as Error).message }, 'could not ANALYZE the document tables after a bulk write');
    }
  }

  /** Documents to write before the next ANALYZE: a tenth of what the table held at the last one, MIN_ROWS at least. */
  private async threshold(): Promise<number> {
    // reltuples is -1 until the table's first ANALYZE or VACUUM.
    const { rows } = await sql<{ n: number }>`SELECT reltuples AS n FROM pg_class WHERE oid = 'documents'::regclass`.execute(this.db);
    return Math.max(MIN_ROWS, Math.ceil(SHARE * Math.max(0, Number(rows[0]?.n ?? 0))));
  }
}
