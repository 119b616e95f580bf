// The web crawler's memory of each page of a data source, between crawls: what a conditional GET
// needs, and the links of a page that answers 304 Not Modified (so the crawl still goes on past it).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class WebPageStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Remembers what `crawl` learned of these pages (one statement). */
  async put(dataSourceId: string, pages: { url: string; state: string }[], crawl: string): Promise<void> {
    if (!pages.length) return;
    await this.db
      .insertInto('web_pages')
      .values(pages.map((p) => ({ data_source_id: dataSourceId, url: p.url, state: p.state, crawl })))
      .onConflict((oc) => oc.columns(['data_source_id', 'url']).doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), crawl: eb.ref('excluded.crawl') })))
      .execute();
  }

  /** Marks pages seen by `crawl` without changing what is known of them (one statement). */
  async touch(dataSourceId: string, urls: string[], crawl: string): Promise<void> {
    if (!urls.length) return;
    await this.db.updateTable('web_pages').set({ crawl }).where('data_source_id', '=', dataSourceId).where('url', 'in', urls).execute();
  }

  /** After a whole crawl: forgets the pages it did not see. */
  async prune(dataSourceId: string, crawl: string): Promise<void> {
    await this.db.deleteFrom('web_pages').where('data_source_id', '=', dataSourceId).where('crawl', '<>', crawl).execute();
  }
}

/** A URL the running crawl queued; ord orders the queue. */
export interface QueuedUrl {
  url: string;
  ord: number;
  depth: number;
  start: boolean;
  /** What the last crawl learned of the page (web_pages.state), read with the queue. */
  known?: string;
}

/**
 * The running crawl's queue of a data source, in the store so that a crawl's memory does not grow with
 * the site: whether a URL was queued before is the table's key, not a set in memory.
 */
export class WebFrontierStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Queues the URLs not queued before (by this data source's running crawl); returns how many it queued. */
  async add(dataSourceId: string, urls: QueuedUrl[]): Promise<number> {
    if (!urls.length) return 0;
    const rows = urls.map((u) => ({ data_source_id: dataSourceId, url: u.url, ord: u.ord, depth: u.depth, start_page: u.start ? 1 : 0 }));
    const r = await this.db
      .insertInto('web_frontier')
      .values(rows)
      .onConflict((oc) => oc.columns(['data_source_id', 'url']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n);
  }

  /** Up to `limit` queued URLs after `afterOrd`, in order, each with what the last crawl learned of it. */
  async after(dataSourceId: string, afterOrd: number, limit: number): Promise<QueuedUrl[]> {
    const rows = await this.db
      .selectFrom('web_frontier as f')
      .leftJoin('web_pages as p', (j) => j.onRef('p.data_source_id', '=', 'f.data_source_id').onRef('p.url', '=', 'f.url'))
      .select(['f.url', 'f.ord', 'f.depth', 'f.start_page', 'p.state'])
      .where('f.data_source_id', '=', dataSourceId)
      .where('f.ord', '>', afterOrd)
      .orderBy('f.ord')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ url: r.url, ord: Number(r.ord), depth: r.depth, start: r.start_page === 1, known: r.state ?? undefined }));
  }

  async clear(dataSourceId: string): Promise<void> {
    await this.db.deleteFrom('web_frontier').where('data_source_id', '=', dataSourceId).execute();
  }
}
