import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import type { Connector, Found } from '../src/connectors/contract.js';
import { defaultConfig } from '../src/config/config.js';
import type { BatchWriter } from '../src/sync/batchWriter.js';
import { SyncPipeline, type Result } from '../src/sync/pipeline.js';
import { openedStore } from './support/openedStore.js';

const FLUSH_MS = 400;
/** The pipeline's timer ticks every flushMs / 4: what is ready commits once its oldest has waited flushMs less a tick. */
const LEAST_WAIT_MS = FLUSH_MS - FLUSH_MS / 4;
const FAILURES = 40;

/** A writer that notes when each write came and how many items it held. */
class NotingWriter implements BatchWriter {
  readonly writes: { items: number; at: number }[] = [];
  async write(_job: unknown, items: Result[]): Promise<boolean> {
    this.writes.push({ items: items.length, at: performance.now() });
    return true;
  }
  async close(): Promise<void> {}
}

describe('the sync pipeline commits by time', () => {
  const store = openedStore('sqlite');

  test('what is ready waits about flushMs and commits as one batch, while the source is still listing', async () => {
    const writer = new NotingWriter();
    let firstReady = 0;
    let writesWhenResumed = -1;
    const connector: Connector = {
      async *enumerate(): AsyncGenerator<Found> {
        // Failures with an id are results at once (no version lookup, no fetch).
        for (let i = 0; i < FAILURES; i++) {
          if (i === 0) firstReady = performance.now();
          yield { kind: 'failure', id: `doc-${i}`, reason: `unreadable ${i}` };
        }
        // The source pauses (a slow folder, a slow server): what it listed commits meanwhile, within flushMs.
        for (const until = performance.now() + 10_000; !writer.writes.length && performance.now() < until; ) await new Promise((r) => setTimeout(r, 5));
        writesWhenResumed = writer.writes.length;
      },
    };
    const config = defaultConfig();
    const pipeline = new SyncPipeline(
      store(), writer, () => Date.now(), { executionId: 'e1', indexId: 'i1', dataSourceId: 'ds1' },
      { fetchConcurrency: 4, batchSize: 1000, flushMs: FLUSH_MS, transactionMs: 600_000, force: false, limits: config.limits, language: null, indexFields: new Map() },
      new AbortController().signal,
    );
    await pipeline.crawl(connector);
    await pipeline.commitRest();
    // One batch, cut into transactions by the sizer (the first of them FIRST_SIZE documents, before any was timed).
    assert.deepEqual(writer.writes.map((w) => w.items), [16, FAILURES - 16]);
    assert.equal(writesWhenResumed, 2, 'the listed failures committed while the source waited');
    const waited = writer.writes[0]!.at - firstReady;
    assert.ok(waited >= LEAST_WAIT_MS, `committed ${waited.toFixed(0)} ms after the first was ready, less than flushMs (${FLUSH_MS}) less a tick`);
  });
});
