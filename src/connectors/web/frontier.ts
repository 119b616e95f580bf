// The crawl's queue of URLs, breadth first, each URL queued once. With a store (a data source's crawl),
// every queued URL is a row, and only a window of the next few hundred is in memory: a crawl of a
// million-page site holds no more than one of a hundred pages. Without one (a connector used on its own),
// the queue and the set of queued URLs are in memory.
import type { QueuedUrl, WebFrontierStore } from '../../store/webPages.js';

export interface Visit {
  url: string;
  depth: number;
  /** A seed or a site map's page: if it cannot be fetched, the sync fails. */
  start: boolean;
}

/** Visits held in memory at most; past this the queue stays in the store until the window has room. */
const WINDOW = 512;
/** Rows per INSERT. */
const ADD_CHUNK = 500;

export interface Frontier {
  /** Queues the visits whose URL was never queued in this crawl; true for each it queued. */
  add(visits: Visit[]): Promise<boolean[]>;
  /** Marks a URL crawled now (a redirect's target) without queueing it; false if it was queued or claimed before. */
  claim(url: string): Promise<boolean>;
  /** The next visit, or undefined when none is queued now. */
  next(): Promise<Visit | undefined>;
  /** Visits queued and not yet taken. */
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

  async add(visits: Visit[]): Promise<boolean[]> {
    return visits.map((v) => {
      if (this.queued.has(v.url)) return false;
      this.queued.add(v.url);
      this.queue.push(v);
      return true;
    });
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
 * Rows are numbered in the order queued. The window holds the oldest untaken ones; a new URL goes
 * straight into the window only while nothing older waits in the store, so the order stays breadth first.
 */
class StoredFrontier implements Frontier {
  private window: QueuedUrl[] = [];
  private nextOrd = 1;
  /** The highest ord read into the window (or put there directly). */
  private readOrd = 0;
  /** Queued rows with ord above readOrd. */
  private stored = 0;
  /** One store call at a time: a refill must not pass an add still writing older rows. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: WebFrontierStore,
    private readonly dataSourceId: string,
  ) {}

  add(visits: Visit[]): Promise<boolean[]> {
    return this.serial(async () => {
      const result = visits.map(() => false);
      const firstOf = new Map<string, number>();
      visits.forEach((v, i) => firstOf.has(v.url) || firstOf.set(v.url, i));
      const rows = [...firstOf.values()].map((i) => ({ ...visits[i]!, ord: this.nextOrd++ }));
      for (let at = 0; at < rows.length; at += ADD_CHUNK) {
        const added = await this.store.add(this.dataSourceId, rows.slice(at, at + ADD_CHUNK));
        for (const row of added) {
          result[firstOf.get(row.url)!] = true;
          if (this.stored === 0 && this.window.length < WINDOW) {
            this.window.push(row);
            this.readOrd = row.ord;
          } else {
            this.stored++;
          }
        }
      }
      return result;
    });
  }

  /** A claimed URL's row has ord 0: never read back into the window (rows are read above readOrd ≥ 0). */
  claim(url: string): Promise<boolean> {
    return this.serial(async () => (await this.store.add(this.dataSourceId, [{ url, ord: 0, depth: 0, start: false }])).length === 1);
  }

  async next(): Promise<Visit | undefined> {
    if (!this.window.length && this.stored > 0) {
      await this.serial(async () => {
        if (this.window.length || this.stored === 0) return;
        const rows = await this.store.after(this.dataSourceId, this.readOrd, WINDOW);
        this.window = rows;
        this.stored -= rows.length;
        if (rows.length) this.readOrd = rows[rows.length - 1]!.ord;
      });
    }
    const row = this.window.shift();
    return row && { url: row.url, depth: row.depth, start: row.start };
  }

  get pending(): number {
    return this.window.length + this.stored;
  }

  close(): Promise<void> {
    return this.serial(() => this.store.clear(this.dataSourceId));
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chain.then(f);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
