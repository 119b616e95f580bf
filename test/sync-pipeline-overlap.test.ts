import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Connector, Found } from '../src/connectors/contract.js';
import { defaultConfig } from '../src/config/config.js';
import type { BatchWriter } from '../src/sync/batchWriter.js';
import { SyncPipeline, type Result } from '../src/sync/pipeline.js';
import type { Store } from '../src/store/store.js';
import { openedStore } from './support/openedStore.js';

const BATCH = 100;
/** More than one change-detection lookup (500 documents) holds: the pipeline fetches after each. */
const DOCUMENTS = 1200;

/** A source of DOCUMENTS small text documents that counts how many it has handed out. */
function source(writesWhileListing: boolean): Connector & { listed: number } {
  const c = {
    listed: 0,
    writesWhileListing,
    async *enumerate(): AsyncGenerator<Found> {
      for (let i = 0; i < DOCUMENTS; i++) {
        c.listed++;
        yield { kind: 'document', id: `doc-${i}`, version: 'v1', fetch: async () => ({ content: Buffer.from(`text of document ${i}`), fileName: `d${i}.txt`, attributes: [] }) };
      }
    },
  };
  return c;
}

/** A writer whose writes finish only when `finishAll` says: how far the source had listed when each began and ended. */
class HeldWriter implements BatchWriter {
  readonly writes: { items: number; listedAtStart: number; listedAtEnd?: number }[] = [];
  private readonly waiting: (() => void)[] = [];
  inFlight = 0;
  mostInFlight = 0;
  constructor(private readonly listed: () => number) {}

  write(_job: unknown, items: Result[]): Promise<boolean> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    const w: (typeof this.writes)[number] = { items: items.length, listedAtStart: this.listed() };
    this.writes.push(w);
    return new Promise((resolve) => this.waiting.push(() => {
      w.listedAtEnd = this.listed();
      this.inFlight--;
      resolve(true);
    }));
  }

  finishAll(): void {
    for (const f of this.waiting.splice(0)) f();
  }

  async close(): Promise<void> {}
}

/** The whole sync, each write held for a few milliseconds of the event loop's time before it finishes. */
async function sync(connector: Connector, writer: HeldWriter, store: Store): Promise<void> {
  const config = defaultConfig();
  const pipeline = new SyncPipeline(
    store, writer, () => Date.now(), { executionId: 'e1', indexId: 'i1', dataSourceId: 'ds1' },
    // No flush by time: batches are cut by size only, and a transaction holds a whole batch.
    { fetchConcurrency: 4, batchSize: BATCH, flushMs: 600_000, transactionMs: 600_000, force: false, limits: config.limits, language: null, indexFields: new Map() },
    new AbortController().signal,
  );
  let done = false;
  const ticker = (async () => {
    while (!done) {
      await new Promise((r) => setTimeout(r, 5));
      writer.finishAll();
    }
  })();
  try {
    await pipeline.crawl(connector);
    await pipeline.commitRest();
  } finally {
    done = true;
    await ticker;
  }
}

const written = (w: HeldWriter) => w.writes.reduce((n, x) => n + x.items, 0);
const listedDuringAWrite = (w: HeldWriter) => w.writes.filter((x) => x.listedAtEnd! > x.listedAtStart).length;

describe('the sync pipeline lists the next batch while one is written', () => {
  const store = openedStore('sqlite');

  test('a connector that leaves the store alone: the source goes on while a batch is written, one write in flight at most', async () => {
    const connector = source(false);
    const writer = new HeldWriter(() => connector.listed);
    await sync(connector, writer, store());
    assert.equal(written(writer), DOCUMENTS, 'every document written once');
    assert.equal(writer.mostInFlight, 1);
    assert.ok(listedDuringAWrite(writer) > 0, `the source listed nothing while any of ${writer.writes.length} writes was under way`);
  });

  test('a connector that writes to the store as it lists: nothing is listed while a batch is written', async () => {
    const connector = source(true);
    const writer = new HeldWriter(() => connector.listed);
    await sync(connector, writer, store());
    assert.equal(written(writer), DOCUMENTS);
    assert.equal(writer.mostInFlight, 1);
    assert.equal(listedDuringAWrite(writer), 0);
  });
});
