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
