/**
 * The query log: every Query served (its text, filter, result count, user when known, and the page's
 * result ids, which SubmitFeedback's clicks name). Query suggestions and analytics read it.
 *
 * Query only appends to a buffer in memory; the buffer is written in one batch every `flushMs` (or
 * at once when it holds FLUSH_AT entries), so logging costs a search no round trip to the database.
 * Readers call flush() first, so what was served is what they count. Entries older than the
 * retention go, checked at most once a minute.
 */
import { storableText } from '../store/storableText.js';
import type { Log } from '../observe/log.js';
import type { Clock } from './clock.js';
import type { NewLoggedQuery, QueryLogStore } from '../store/queryLog.js';

/** Entries buffered before a write is started without waiting for the timer. */
const FLUSH_AT = 1000;
const RETENTION_EVERY_MS = 60_000;

export interface LoggedQuery {
  indexId: string;
  queryId: string;
  text: string;
  filter?: unknown;
  resultCount: number;
  userId?: string;
  /** The results served (loggedResults). */
  results: LoggedResult[];
}

/** [ResultId, DocumentId] of a document; [ResultId, DocumentId, Type] of an ANSWER or QUESTION_ANSWER (analytics' instant answers). */
export type LoggedResult = [string, string] | [string, string, string];

export const ANSWER_TYPES: ReadonlySet<string> = new Set(['ANSWER', 'QUESTION_ANSWER']);

export function loggedResults(items: { Id: string; DocumentId: string; Type: string }[]): LoggedResult[] {
  return items.map((r) => (ANSWER_TYPES.has(r.Type) ? [r.Id, r.DocumentId, r.Type] : [r.Id, r.DocumentId]));
}

export interface QueryLogSettings {
  flushMs: number;
  retentionDays: number;
}


export class QueryLog {
  private buffer: NewLoggedQuery[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private lastRetention = 0;
  private readonly listeners: ((indexIds: Set<string>) => void)[] = [];

  constructor(
    private readonly store: QueryLogStore,
    private readonly clock: Clock,
    private readonly settings: QueryLogSettings,
    private readonly log?: Log,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), Math.max(settings.flushMs, 10));
    this.timer.unref();
  }

  record(q: LoggedQuery): void {
    // Stored as both backends can hold it (U+0000 and unpaired surrogates as U+FFFD): one such query never loses the batch.
    const text = storableText(q.text);
    this.buffer.push({
      index_id: q.indexId, query_id: q.queryId, query_text: text, normalized_text: normalizeQueryText(text),
      filter: q.filter === undefined ? null : JSON.stringify(q.filter), result_count: q.resultCount,
      user_id: q.userId === undefined ? null : storableText(q.userId), results: JSON.stringify(q.results), at: this.clock(),
    });
    if (this.buffer.length >= FLUSH_AT || this.settings.flushMs === 0) void this.flush().catch(() => undefined);
  }

  /** Called with the indices whose log grew, after each write. */
  onWritten(listener: (indexIds: Set<string>) => void): void {
    this.listeners.push(listener);
  }

  /** Writes what is buffered (after any write under way); resolves when it is stored. */
  flush(): Promise<void> {
    // Nothing buffered and no retention due: only what is being written (GetQuerySuggestions calls this each time).
    if (!this.buffer.length && this.clock() - this.lastRetention < RETENTION_EVERY_MS) return this.writing;
    const rows = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(async () => {
      try {
        if (rows.length) {
          await this.store.insert(rows);
          const ids = new Set(rows.map((r) => r.index_id));
          for (const l of this.listeners) l(ids);
        }
        await this.applyRetention();
      } catch (e) {
        this.log?.error({ entries: rows.length, error: (e as Error).message }, 'query log write failed');
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async applyRetention(): Promise<void> {
    const now = this.clock();
    if (now - this.lastRetention < RETENTION_EVERY_MS) return;
    this.lastRetention = now;
    await this.store.purgeBefore(now - this.settings.retentionDays * 86_400_000);
  }
}

/**
 * Kendra's suggestion matching: lower case, single and double quotation marks ignored, runs of
 * white space made one space; every other character as it is.
 */
export function normalizeQueryText(text: string): string {
  return text.toLowerCase().replace(/["'\u2018\u2019\u201C\u201D]/g, '').replace(/\s+/g, ' ').trim();
}
