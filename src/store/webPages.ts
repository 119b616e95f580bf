// The web crawler's memory of each page of a data source, between crawls: what a conditional GET
// needs, and the links of a page that answers 304 Not Modified (so the crawl still goes on past it).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class WebPageStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(dataSourceId: string, url: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('web_pages').select('state').where('data_source_id', '=', dataSourceId).where('url', '=', url).executeTakeFirst();
    return row?.state;
  }

  async put(dataSourceId: string, url: string, state: string, crawl: string): Promise<void> {
    await this.db
      .insertInto('web_pages')
      .values({ data_source_id: dataSourceId, url, state, crawl })
      .onConflict((oc) => oc.columns(['data_source_id', 'url']).doUpdateSet({ state, crawl }))
      .execute();
  }

  /** Marks a page seen by `crawl` without changing what is known of it. */
  async touch(dataSourceId: string, url: string, crawl: string): Promise<void> {
    await this.db.updateTable('web_pages').set({ crawl }).where('data_source_id', '=', dataSourceId).where('url', '=', url).execute();
  }

  async remove(dataSourceId: string, url: string): Promise<void> {
    await this.db.deleteFrom('web_pages').where('data_source_id', '=', dataSourceId).where('url', '=', url).execute();
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
}

/**
 * The running crawl's queue of a data source, in the store so that a crawl's memory does not grow with
 * the site: whether a URL was queued before is the table's key, not a set in memory.
 */
export class WebFrontierStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Queues the URLs not queued before (by this data source's running crawl); returns those. */
  async add(dataSourceId: string, urls: QueuedUrl[]): Promise<QueuedUrl[]> {
    if (!urls.length) return [];
    const rows = urls.map((u) => ({ data_source_id: dataSourceId, url: u.url, ord: u.ord, depth: u.depth, start_page: u.start ? 1 : 0 }));
    const added = await this.db
      .insertInto('web_frontier')
      .values(rows)
      .onConflict((oc) => oc.columns(['data_source_id', 'url']).doNothing())
      .returning('url')
      .execute();
    const fresh = new Set(added.map((r) => r.url));
    return urls.filter((u) => fresh.has(u.url));
  }

  /** Up to `limit` queued URLs after `afterOrd`, in order. */
  async after(dataSourceId: string, afterOrd: number, limit: number): Promise<QueuedUrl[]> {
    const rows = await this.db
      .selectFrom('web_frontier')
      .select(['url', 'ord', 'depth', 'start_page'])
      .where('data_source_id', '=', dataSourceId)
      .where('ord', '>', afterOrd)
      .orderBy('ord')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ url: r.url, ord: Number(r.ord), depth: r.depth, start: r.start_page === 1 }));
  }

  async clear(dataSourceId: string): Promise<void> {
    await this.db.deleteFrom('web_frontier').where('data_source_id', '=', dataSourceId).execute();
  }
}
