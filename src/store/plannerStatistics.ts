/**
 * PostgreSQL plans every search by its statistics of the document tables, which only ANALYZE makes.
 * Right after a bulk load they describe the tables as they were before it (a new table: none at all),
 * and the planner guesses: over 20,000 freshly synced documents it took the btree on index_id for a
 * handful of rows and tested `search_vector @@` on every document of the index, 500 ms a search,
 * instead of the GIN index (15 ms). Autovacuum's ANALYZE comes, when it is on, up to a minute later
 * (autovacuum_naptime) and not at all when it is off; kendrite knows when it has just written a
 * large share of the documents, so it analyzes them itself then.
 *
 * The rule is autovacuum's own (autovacuum_analyze_scale_factor 0.1), with two floors: once this process
 * has written, since its last ANALYZE, at least MIN_ROWS documents, more than a tenth of what the table
 * held at that ANALYZE (pg_class.reltuples), and half the rows the next ANALYZE will read (its sample:
 * 300 × default_statistics_target rows, 30,000, or the whole table when smaller), the document tables are
 * analyzed, in the background, after the writes committed, on one of the store's pooled connections (never
 * inside a sync's transaction). The last floor bounds what ANALYZE costs a sync to about two sampled rows
 * per document written: under autovacuum's rule alone a table smaller than its sample was read in full
 * at every tenth it grew, ten rows per document written, and a first sync of 20,000 small documents spent
 * a tenth of its CPU analyzing. That sync is analyzed at 1,000, 2,000, 3,000, 4,500, 6,750, 10,125 and
 * 15,188 documents, so searches during it are planned on statistics of the documents already there too
 * (the planner scales the row count it last saw by the table's pages now: the counts stay current in
 * between; what the statistics add is how the values are spread, which a growing corpus keeps). From
 * 300,000 documents on (a tenth above the sample) autovacuum's rule alone decides, as before.
 *
 * The same step moves the GIN index's pending list (documents written since its last cleanup, which
 * every search scans in full: up to gin_pending_list_limit, 4 MB) into the index proper, as
 * autovacuum's vacuum would.
 */
import { sql, type Kysely } from 'kysely';
import type { Log } from '../observe/log.js';
import type { Database } from './schema.js';

/** The columns of documents whose statistics plans read (see TABLES). */
export const PLANNED_COLUMNS = ['doc_key', 'index_key', 'document_id', 'source_key', 'language_code', 'source_uri', 'status', 'search_vector'] as const;
/** Documents written before a first ANALYZE is worth it (autovacuum's threshold is 50; an ANALYZE of 1,000 rows takes milliseconds). */
const MIN_ROWS = 1_000;
/** …and this share of the documents the last ANALYZE counted… */
const SHARE = 0.1;
/** …and this share of the rows the next ANALYZE samples. */
const SAMPLE_SHARE = 0.5;
/** The rows ANALYZE samples per unit of statistics target (PostgreSQL's std_typanalyze). */
const SAMPLE_ROWS_PER_TARGET = 300;
/**
 * The tables a document write grows in proportion, which searches join; of documents, only the columns a search
 * compares, joins or filters on (search/postgres.ts, attributeRows.ts, attributeFilter.ts, store/querySuggestions.ts:
 * what it compares of the title is lower(title), an expression the column's statistics do not describe). The text
 * columns (title, body, their analysed twins, the attributes' JSON) were half of what an ANALYZE cost and no plan reads them.
 */
const TABLES = `documents (${PLANNED_COLUMNS.join(', ')}), document_attributes, document_access`;

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

  /** Documents to write before the next ANALYZE: a tenth of what the table held at the last one and half what the next one samples, MIN_ROWS at least. */
  private async threshold(): Promise<number> {
    // reltuples is -1 until the table's first ANALYZE or VACUUM.
    const { rows } = await sql<{ n: number; target: number }>`SELECT reltuples AS n, current_setting('default_statistics_target')::int AS target FROM pg_class WHERE oid = 'documents'::regclass`.execute(this.db);
    return analyzeThreshold(Number(rows[0]?.n ?? 0), Number(rows[0]?.target ?? 100));
  }
}

/** Documents to write before the next ANALYZE of a table that held `rows` at the last one (-1: never analyzed), sampled at `target`. */
export function analyzeThreshold(rows: number, target: number): number {
  const held = Math.max(0, rows);
  const sampled = Math.min(held, SAMPLE_ROWS_PER_TARGET * target);
  return Math.max(MIN_ROWS, Math.ceil(SHARE * held), Math.ceil(SAMPLE_SHARE * sampled));
}
