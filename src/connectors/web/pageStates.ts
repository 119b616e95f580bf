// What a crawl learns of each page (validators, links, version), written to the store in batches rather
// than one statement per page: only the next crawl reads it. A crawl that dies before a batch is written
// loses only conditional GETs: those pages are fetched whole next time, and their versions still match.
import type { WebPageStore } from '../../store/webPages.js';

/** Pages (learned or only seen) per write. */
const BATCH = 128;

export class PageStates {
  private learned: { url: string; state: string }[] = [];
  private seen: string[] = [];
  /** One write at a time, in order. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: WebPageStore,
    private readonly dataSourceId: string,
    private readonly crawl: string,
  ) {}

  /** The page as this crawl fetched it. */
  learn(url: string, state: string): Promise<void> {
    this.learned.push({ url, state });
    return this.full() ? this.write() : Promise.resolve();
  }

  /** The page seen by this crawl, what is known of it unchanged (a 304, or a failure that keeps its links). */
  see(url: string): Promise<void> {
    this.seen.push(url);
    return this.full() ? this.write() : Promise.resolve();
  }

  /** Writes what is held. */
  write(): Promise<void> {
    const { learned, seen } = this;
    this.learned = [];
    this.seen = [];
    const run = this.chain.then(async () => {
      await this.store.put(this.dataSourceId, learned, this.crawl);
      await this.store.touch(this.dataSourceId, seen, this.crawl);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private full(): boolean {
    return this.learned.length + this.seen.length >= BATCH;
  }
}
