// Query's TotalNumberOfResults, page order and confidence are exact whatever the ranking statement does
// to be fast (search/postgres.ts ranks the first offset + limit rows and takes the best score from the first;
// fts5.ts tallies as it scores): every page of a ranking where scores tie across page boundaries, with
// documents that match the text but are invisible to the search (FAILED, another index, another
// language, a data source being deleted, an access list, an attribute filter), against the answer
// worked out here from how the documents were written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchPutDocumentCommand,
  QueryCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type AttributeFilter,
  type Document,
  type KendraClient,
  type QueryCommandOutput,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { storeQuery } from './support/searchCorpus.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

/** Documents d00…d59: even ones hold the word in the title (a better score), odd ones in the body only; within each kind the text is identical (equal scores). */
const N = 60;
const id = (i: number) => `d${String(i).padStart(2, '0')}`;
const titled = (i: number) => i % 2 === 0;
const FAILED = [4, 7];
const FRENCH = [10, 13];
const DOOMED = [20, 21, 22, 23];
const ALICE_ONLY = [30, 33];
const priority = (i: number) => i % 3;

function doc(i: number, ds: string, job: string): Document {
  return {
    Id: id(i),
    Title: titled(i) ? 'zorblax notes' : 'filler notes',
    Blob: Buffer.from(titled(i) ? 'plain filler text for the page test' : 'plain zorblax text for the page test'),
    ContentType: 'PLAIN_TEXT',
    Attributes: [
      { Key: '_data_source_id', Value: { StringValue: ds } },
      { Key: '_data_source_sync_job_execution_id', Value: { StringValue: job } },
      { Key: 'priority', Value: { LongValue: priority(i) } },
      ...(FRENCH.includes(i) ? [{ Key: '_language_code', Value: { StringValue: 'fr' } }] : []),
    ],
    ...(ALICE_ONLY.includes(i) ? { AccessControlList: [{ Name: 'alice', Type: 'USER' as const, Access: 'ALLOW' as const }] } : {}),
  };
}

async function sync(k: KendraClient, indexId: string, name: string, which: number[]): Promise<string> {
  const ds = await activeCustomDataSource(k, indexId, name);
  const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  for (let i = 0; i < which.length; i += 10) {
    const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: which.slice(i, i + 10).map((n) => doc(n, ds, ExecutionId!)) }));
    assert.deepEqual(r.FailedDocuments, []);
  }
  await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  const job = await jobReaching(k, indexId, ds, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'], 30_000);
  assert.equal(job.Status, 'SUCCEEDED');
  return ds;
}

/** The visible documents in their order: titled ones first (the better score), each kind by document id. */
function expected(visible: (i: number) => boolean): string[] {
  const all = Array.from({ length: N }, (_, i) => i).filter(visible);
  return [...all.filter(titled), ...all.filter((i) => !titled(i))].map(id);
}

for (const backend of backends()) {
  describeOrSkip(`Query pages and totals are exact [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'pages');
      const all = Array.from({ length: N }, (_, i) => i);
      await sync(k, indexId, 'main', all.filter((i) => !DOOMED.includes(i)));
      const doomed = await sync(k, indexId, 'doomed', DOOMED);
      // The same documents in another index: they match, and must count nowhere here.
      const other = await activeIndex(k, 'other');
      await sync(k, other, 'main', all);
      await storeQuery(store, `UPDATE documents SET status = 'FAILED' WHERE index_key = (SELECT key FROM index_keys WHERE id = ?) AND document_id IN (${FAILED.map(() => '?').join(', ')})`, [indexId, ...FAILED.map(id)]);
      // Held DELETING as DeleteDataSource sets it, without the due time that lets the purge run.
      await storeQuery(store, "UPDATE data_sources SET status = 'DELETING' WHERE id = ?", [doomed]);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    const query = (PageNumber: number, PageSize: number, more: { AttributeFilter?: AttributeFilter; UserId?: string } = {}) =>
      k.send(new QueryCommand({
        IndexId: indexId, QueryText: 'zorblax', PageNumber, PageSize,
        ...(more.AttributeFilter ? { AttributeFilter: more.AttributeFilter } : {}),
        ...(more.UserId ? { UserContext: { UserId: more.UserId } } : {}),
      }));
    const ids = (r: QueryCommandOutput) => r.ResultItems!.map((x) => x.DocumentId!);

    /** Every page of `size` (and one past the end) against the expected order; each document's confidence as on one page of all. */
    async function pagesMatch(want: string[], size: number, more: Parameters<typeof query>[2] = {}) {
      const whole = await query(1, 100, more);
      assert.deepEqual(ids(whole), want);
      assert.equal(whole.TotalNumberOfResults, want.length);
      const confidence = new Map(whole.ResultItems!.map((x) => [x.DocumentId!, x.ScoreAttributes!.ScoreConfidence]));
      const pages = Math.ceil(want.length / size) + 1;
      for (let p = 1; p <= pages; p++) {
        const r = await query(p, size, more);
        assert.deepEqual(ids(r), want.slice((p - 1) * size, p * size), `page ${p} of ${size}`);
        assert.equal(r.TotalNumberOfResults, want.length, `the total on page ${p} of ${size}`);
        for (const x of r.ResultItems!) assert.equal(x.ScoreAttributes!.ScoreConfidence, confidence.get(x.DocumentId!), `${x.DocumentId}'s confidence on page ${p}`);
      }
    }

    const hidden = [...FAILED, ...FRENCH, ...DOOMED];

    test('anonymous: none of the invisible documents, every page exact with ties across page boundaries', async () => {
      const want = expected((i) => !hidden.includes(i) && !ALICE_ONLY.includes(i));
      assert.equal(want.length, 50);
      // The confidences differ between the kinds (the test of the best score on later pages means something).
      const whole = await query(1, 100);
      assert.notEqual(whole.ResultItems![0]!.ScoreAttributes!.ScoreConfidence, whole.ResultItems!.at(-1)!.ScoreAttributes!.ScoreConfidence);
      for (const size of [7, 10, 24]) await pagesMatch(want, size);
    });

    test("alice also sees the documents only she may see", async () => {
      await pagesMatch(expected((i) => !hidden.includes(i)), 7, { UserId: 'alice' });
    });

    test('an attribute filter counts and pages only what it keeps', async () => {
      const AttributeFilter = { GreaterThanOrEquals: { Key: 'priority', Value: { LongValue: 1 } } };
      const want = expected((i) => !hidden.includes(i) && !ALICE_ONLY.includes(i) && priority(i) >= 1);
      assert.equal(want.length, 33);
      await pagesMatch(want, 7, { AttributeFilter });
    });

    test('nothing matching: total 0 on the first page and past it', async () => {
      for (const p of [1, 3]) {
        const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'nonexistentword', PageNumber: p, PageSize: 7 }));
        assert.deepEqual(ids(r), []);
        assert.equal(r.TotalNumberOfResults, 0);
      }
    });
  });
}
