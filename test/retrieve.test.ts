import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchDeleteDocumentCommand,
  BatchPutDocumentCommand,
  RetrieveCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type KendraClient,
  type RetrieveCommandInput,
  type RetrieveCommandOutput,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching, rejectsWith } from './support/kendra.js';
import { CORPUS, createdAt, ingestCorpus, sourceUri, storeQuery, updatedAt, type Source } from './support/searchCorpus.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

type Input = Omit<RetrieveCommandInput, 'IndexId'>;
const docIds = (r: RetrieveCommandOutput) => r.ResultItems!.map((i) => i.DocumentId!);
const count = (text: string, word: string) => text.split(word).length - 1;

for (const backend of backends()) {
  describeOrSkip(`Retrieve: passages of the synced corpus [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let ds: Record<Source, string>;
    const retrieve = (input: Input) => k.send(new RetrieveCommand({ IndexId: indexId, ...input }));

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'retrieve');
      ds = (await ingestCorpus(k, indexId)).dataSources;
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('a long document is cut into passages; only those holding the words come back, the denser first', async () => {
      const r = await retrieve({ QueryText: 'semicolon' });
      const w22 = CORPUS.find((d) => d.id === 'w22')!;
      // The style guide's third paragraph (11 sentences, each with one "semicolon") spans three passages: 5, 5 and 1 sentences.
      assert.deepEqual(docIds(r), ['w22', 'w22', 'w22']);
      assert.deepEqual(r.ResultItems!.map((i) => count(i.Content!, 'semicolon')), [5, 5, 1]);
      for (const item of r.ResultItems!) {
        assert.ok(w22.body.includes(item.Content!), 'a passage is a slice of the text');
        assert.ok(item.Content!.split(/\s+/).length <= 200);
        assert.equal(item.DocumentTitle, 'Writing style guide');
        assert.equal(item.DocumentURI, sourceUri(w22));
        assert.ok(item.Id!.startsWith(`${r.QueryId}-`));
      }
      assert.equal(r.ResultItems![0]!.ScoreAttributes!.ScoreConfidence, 'VERY_HIGH');
      assert.deepEqual(r.ResultItems![0]!.DocumentAttributes, [
        { Key: '_data_source_id', Value: { StringValue: ds.wiki } },
        { Key: '_category', Value: { StringValue: 'reference' } },
        { Key: 'department', Value: { StringValue: 'People' } },
        { Key: '_source_uri', Value: { StringValue: sourceUri(w22) } },
        { Key: '_created_at', Value: { DateValue: createdAt(w22) } },
        { Key: '_last_updated_at', Value: { DateValue: updatedAt(w22) } },
        { Key: 'tags', Value: { StringListValue: ['writing'] } },
        { Key: '_authors', Value: { StringListValue: ['eva'] } },
        { Key: 'priority', Value: { LongValue: 2 } },
        { Key: '_view_count', Value: { LongValue: 66 } },
        { Key: '_file_type', Value: { StringValue: 'PLAIN_TEXT' } },
        { Key: '_language_code', Value: { StringValue: 'en' } },
      ]);
    });

    test('query syntax: words, phrases, AND and NOT; titles count', async () => {
      assert.deepEqual(docIds(await retrieve({ QueryText: 'backup' })).sort(), ['t05', 't06', 't07', 'w09', 'w10']);
      assert.deepEqual(docIds(await retrieve({ QueryText: '"disaster recovery"' })).sort(), ['t05', 'w07']);
      assert.deepEqual(docIds(await retrieve({ QueryText: 'backup AND encryption' })).sort(), ['t06', 'w09']);
      assert.deepEqual(docIds(await retrieve({ QueryText: 'backup NOT nightly' })).sort(), ['t05', 't06', 'w09']);
      assert.deepEqual(docIds(await retrieve({ QueryText: 'the of' })), []);
      // w01 says "kubernetes" in its title only: its passage is found by the title it carries.
      assert.deepEqual(docIds(await retrieve({ QueryText: 'kubernetes' })).sort(), ['t03', 'w01', 'w02']);
    });

    test('AttributeFilter and RequestedDocumentAttributes', async () => {
      const r = await retrieve({
        QueryText: 'backup',
        AttributeFilter: { AndAllFilters: [{ EqualsTo: { Key: 'department', Value: { StringValue: 'Data' } } }, { LessThan: { Key: 'priority', Value: { LongValue: 4 } } }] },
        RequestedDocumentAttributes: ['priority'],
      });
      assert.deepEqual(docIds(r).sort(), ['t05', 'w10']);
      assert.deepEqual(r.ResultItems!.map((i) => i.DocumentAttributes).sort((a, b) => a![0]!.Value!.LongValue! - b![0]!.Value!.LongValue!), [
        [{ Key: 'priority', Value: { LongValue: 1 } }],
        [{ Key: 'priority', Value: { LongValue: 3 } }],
      ]);
    });

    test('paging: pages do not overlap and add up to the whole list', async () => {
      const whole = (await retrieve({ QueryText: 'backup OR kubernetes', PageSize: 100 })).ResultItems!.map((i) => i.Content);
      assert.equal(whole.length, 8);
      const pages = await Promise.all([1, 2, 3, 4].map((PageNumber) => retrieve({ QueryText: 'backup OR kubernetes', PageNumber, PageSize: 3 })));
      assert.deepEqual(pages.map((p) => p.ResultItems!.length), [3, 3, 2, 0]);
      assert.deepEqual(pages.flatMap((p) => p.ResultItems!.map((i) => i.Content)), whole);
    });

    test('bad requests: their error codes', async () => {
      const cases: [string, Input & { IndexId?: string }, string][] = [
        ['empty QueryText', { QueryText: '' }, 'ValidationException'],
        ['QueryText over 1000 characters', { QueryText: 'x'.repeat(1001) }, 'ValidationException'],
        ['two operators in one filter node', { QueryText: 'backup', AttributeFilter: { EqualsTo: { Key: 'a', Value: { LongValue: 1 } }, NotFilter: { EqualsTo: { Key: 'a', Value: { LongValue: 2 } } } } }, 'ValidationException'],
        ['PageNumber 0', { QueryText: 'backup', PageNumber: 0 }, 'ValidationException'],
        ['an unknown index', { IndexId: '00000000-0000-0000-0000-000000000000', QueryText: 'backup' }, 'ResourceNotFoundException'],
      ];
      for (const [what, input, code] of cases)
        await rejectsWith(k.send(new RetrieveCommand({ IndexId: indexId, ...input })), code).catch((e: Error) => assert.fail(`${what}: ${e.message}`));
    });

    test('passages of a data source being deleted are never served', async () => {
      // Held in DELETING as in query.test.ts: the status DeleteDataSource sets, without the due time of the purge.
      await storeQuery(store, "UPDATE data_sources SET status = 'DELETING' WHERE id = ?", [ds.tickets]);
      try {
        assert.deepEqual(docIds(await retrieve({ QueryText: 'backup' })).sort(), ['w09', 'w10']);
      } finally {
        await storeQuery(store, "UPDATE data_sources SET status = 'ACTIVE' WHERE id = ?", [ds.tickets]);
      }
      assert.equal(docIds(await retrieve({ QueryText: 'backup' })).length, 5);
    });

    test('passages follow the document: replaced when it changes, gone when it is deleted', async () => {
      const other = await activeIndex(k, 'changes');
      const source = await activeCustomDataSource(k, other, 'changes');
      const sync = async (work: (job: string) => Promise<void>) => {
        const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: other, Id: source }));
        await work(ExecutionId!);
        await k.send(new StopDataSourceSyncJobCommand({ IndexId: other, Id: source }));
        assert.equal((await jobReaching(k, other, source, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'])).Status, 'SUCCEEDED');
      };
      const put = (job: string, text: string) =>
        k.send(new BatchPutDocumentCommand({
          IndexId: other,
          Documents: [{ Id: 'doc', Blob: Buffer.from(text), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: '_data_source_sync_job_execution_id', Value: { StringValue: job } }, { Key: '_data_source_id', Value: { StringValue: source } }] }],
        }));
      const contents = async (QueryText: string) => (await k.send(new RetrieveCommand({ IndexId: other, QueryText }))).ResultItems!.map((i) => i.Content);

      await sync((job) => put(job, 'Orchids need bright light. Water them weekly.').then(() => undefined));
      assert.deepEqual(await contents('orchids'), ['Orchids need bright light. Water them weekly.']);
      await sync((job) => put(job, 'Cacti need little water.').then(() => undefined));
      assert.deepEqual(await contents('orchids'), []);
      assert.deepEqual(await contents('water'), ['Cacti need little water.']);
      await sync(async (job) => {
        await k.send(new BatchDeleteDocumentCommand({ IndexId: other, DocumentIdList: ['doc'], DataSourceSyncJobMetricTarget: { DataSourceId: source, DataSourceSyncJobId: job } }));
      });
      assert.deepEqual(await contents('water'), []);
    });
  });
}
