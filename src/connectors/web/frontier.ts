// The crawl's queue of URLs, breadth first, each URL queued once. With a store (a data source's crawl),
// every queued URL is a row, and only a window of the next few hundred is in memory: a crawl of a
// million-page site holds no more than one of a hundred pages. The store is asked in batches, not per
// page: new URLs are written a few hundred at a time, and the window is read with what the last crawl
// learned of each page. Without a store (a connector used on its own), the queue and the set of queued
// URLs are in memory.
import type { QueuedUrl, WebFrontierStore } from '../../store/webPages.js';

export interface Visit {
  url: string;
  depth: number;
  /** A seed or a site map's page: if it cannot be fetched, the sync fails. */
  start: boolean;
  /** What the last crawl learned of the page (the store's web_pages.state), if anything. */
  known?: string;
}

/** Visits read into memory at once; the rest of the queue stays in the store until the window is empty. */
const WINDOW = 512;
/** New URLs held before they are written (rows per INSERT). */
const ADD_CHUNK = 500;

export interface Frontier {
  /** Queues the visits whose URL was never queued in this crawl. */
  add(visits: Visit[]): Promise<void>;
  /** Marks a URL crawled now (a redirect's target) without queueing it; false if it was queued or claimed before. */
  claim(url: string): Promise<boolean>;
  /** The next visit, or undefined when none is queued now. */
  next(): Promise<Visit | undefined>;
  /** Visits queued and not yet taken; with a store, it may count URLs queued before until they are written. */
  readonly pending: number;
  close(): Promise<void>;
}

export async function openFrontier(store: { frontier: WebFrontierStore; dataSourceId: string } | undefined): Promise<Frontier> {
  if (!store) return new MemoryFrontier();
  // A crawl that died (a killed process) left its queue: this crawl starts from its own seeds.
  await store.frontier.clear(store.dataSourceId);
  return new StoredFrontier(store.frontier, store.dataSourceId);
}

class MemoryFrontier implements Frontier {
  private readonly queued = new Set<string>();
  private queue: Visit[] = [];
  private head = 0;

  async add(visits: Visit[]): Promise<void> {
    for (const v of visits) {
      if (this.queued.has(v.url)) continue;
      this.queued.add(v.url);
      this.queue.push(v);
    }
  }

  async claim(url: string): Promise<boolean> {
    if (this.queued.has(url)) return false;
    this.queued.add(url);
    return true;
  }

  async next(): Promise<Visit | undefined> {
    if (this.head >= this.queue.length) return undefined;
    const v = this.queue[this.head]!;
    this.queue[this.head++] = undefined as never; // let the visited entry go
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return v;
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  async close(): Promise<void> {}
}

/**
 * Rows are numbered in the order queued. New URLs wait in `fresh` (numbered already) until ADD_CHUNK of
 * them are there or the window is empty; the window is then read from the store, oldest first, so the
 * order stays breadth first. A URL in `fresh` may have been queued before: the store's key drops it.
 */
class StoredFrontier implements Frontier {
  private window: QueuedUrl[] = [];
  private fresh = new Map<string, QueuedUrl>();
  private nextOrd = 1;
  /** The highest ord read into the window. */
  private readOrd = 0;
  /** Rows written with ord above readOrd. */
  private stored = 0;
  /** One store call at a time: a refill must not pass a write of older rows. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: WebFrontierStore,
    private readonly dataSourceId: string,
  ) {}

  async add(visits: Visit[]): Promise<void> {
    for (const v of visits) if (!this.fresh.has(v.url)) this.fresh.set(v.url, { url: v.url, depth: v.depth, start: v.start, ord: this.nextOrd++ });
    if (this.fresh.size >= ADD_CHUNK) await this.serial(() => this.write());
  }

  /** A claimed URL's row has ord 0: never read back into the window (rows are read above readOrd ≥ 0). */
  claim(url: string): Promise<boolean> {
    return this.serial(async () => !this.fresh.has(url) && (await this.store.add(this.dataSourceId, [{ url, ord: 0, depth: 0, start: false }])) === 1);
  }

  async next(): Promise<Visit | undefined> {
    if (!this.window.length && this.stored + this.fresh.size > 0) {
      await this.serial(async () => {
        if (this.window.length) return;
        await this.write();
        if (this.stored === 0) return;
        const rows = await this.store.after(this.dataSourceId, this.readOrd, WINDOW);
        this.window = rows;
        this.stored -= rows.length;
        if (rows.length) this.readOrd = rows[rows.length - 1]!.ord;
      });
    }
    const row = this.window.shift();
    return row && { url: row.url, depth: row.depth, start: row.start, known: row.known };
  }

  get pending(): number {
    return this.window.length + this.stored + this.fresh.size;
  }

  close(): Promise<void> {
    this.fresh.clear();
    return this.serial(() => this.store.clear(this.dataSourceId));
  }

  /** Writes the new URLs (run through serial); those not queued before count as stored. */
  private async write(): Promise<void> {
    const rows = [...this.fresh.values()];
    this.fresh = new Map();
    for (let at = 0; at < rows.length; at += ADD_CHUNK) this.stored += await this.store.add(this.dataSourceId, rows.slice(at, at + ADD_CHUNK));
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chain.then(f);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
