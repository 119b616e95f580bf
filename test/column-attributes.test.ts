// _data_source_id and _language_code are columns of documents: SQLite keeps no document_attributes rows of theirs
// (migration 23, search/attributeRows.ts), and every search that reads attribute values (filters by either plan,
// facets, nested facets, value types) reads those two from the columns, on both backends alike.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchPutDocumentCommand,
  CreateDataSourceCommand,
  DescribeDataSourceCommand,
  QueryCommand,
  type AttributeFilter,
  type Document,
  type KendraClient,
  type QueryCommandInput,
} from '@aws-sdk/client-kendra';
import { activeIndex } from './support/kendra.js';
import { storeQuery } from './support/searchCorpus.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { putInJob } from './support/sync.js';

const text = (t: string) => new TextEncoder().encode(t);
const doc = (Id: string, team: string, extra: Document['Attributes'] = []): Document => ({
  Id, Title: Id, Blob: text(`the harbour ledger of ${Id}`), ContentType: 'PLAIN_TEXT', Attributes: [{ Key: 'team', Value: { StringValue: team } }, ...extra],
});


for (const backend of backends()) {
  describeOrSkip(`_data_source_id and _language_code read from the documents' columns [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let a: string;
    let b: string;
    const query = async (extra: Omit<QueryCommandInput, 'IndexId'>) => k.send(new QueryCommand({ IndexId: indexId, PageSize: 20, ...extra }));
    const ids = async (AttributeFilter: AttributeFilter, QueryText?: string) =>
      (await query({ QueryText, AttributeFilter })).ResultItems!.map((i) => i.DocumentId!).sort();
    const inA: AttributeFilter = { EqualsTo: { Key: '_data_source_id', Value: { StringValue: '' } } };

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'column-attributes');
      const source = async (Name: string) => {
        const { Id } = await k.send(new CreateDataSourceCommand({ IndexId: indexId, Name, Type: 'CUSTOM' }));
        await waitFor(`${Name} ACTIVE`, async () => ((await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE' ? true : undefined));
        return Id!;
      };
      a = await source('a');
      b = await source('b');
      inA.EqualsTo!.Value!.StringValue = a;
      await putInJob(k, indexId, a, [doc('a1', 'red'), doc('a2', 'blue')]);
      await putInJob(k, indexId, b, [doc('b1', 'red')]);
      const put = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [doc('loose', 'red', [{ Key: '_language_code', Value: { StringValue: 'en' } }])] }));
      assert.deepEqual(put.FailedDocuments, []);
      await waitFor('loose indexed', async () => ((await query({ QueryText: 'harbour' })).TotalNumberOfResults === 4 ? true : undefined));
    });
    after(async () => {
      k?.destroy();
      await server?.stop();
      await store?.destroy();
    });

    test('EqualsTo a data source or a language, alone and with query text, negated, and combined with an attribute of rows', async () => {
      assert.deepEqual(await ids(inA, 'harbour'), ['a1', 'a2']);
      assert.deepEqual(await ids(inA), ['a1', 'a2']);
      assert.deepEqual(await ids({ NotFilter: inA }, 'harbour'), ['b1', 'loose']);
      assert.deepEqual(await ids({ NotFilter: inA }), ['b1', 'loose']);
      assert.deepEqual(await ids({ AndAllFilters: [{ NotFilter: inA }, { EqualsTo: { Key: 'team', Value: { StringValue: 'red' } } }] }, 'harbour'), ['b1', 'loose']);
      assert.deepEqual(await ids({ OrAllFilters: [inA, { EqualsTo: { Key: '_data_source_id', Value: { StringValue: b } } }] }, 'harbour'), ['a1', 'a2', 'b1']);
      assert.deepEqual(await ids({ EqualsTo: { Key: '_language_code', Value: { StringValue: 'en' } } }, 'harbour'), ['a1', 'a2', 'b1', 'loose']);
      assert.deepEqual(await ids({ EqualsTo: { Key: '_data_source_id', Value: { StringValue: 'no-such-source' } } }, 'harbour'), []);
    });

    test('a value of another type than STRING matches no document, and its negation every one', async () => {
      const asLong: AttributeFilter = { EqualsTo: { Key: '_data_source_id', Value: { LongValue: 1 } } };
      const asList: AttributeFilter = { ContainsAny: { Key: '_data_source_id', Value: { StringListValue: [a] } } };
      assert.deepEqual(await ids(asLong, 'harbour'), []);
      assert.deepEqual(await ids(asList, 'harbour'), []);
      assert.deepEqual(await ids({ NotFilter: asLong }, 'harbour'), ['a1', 'a2', 'b1', 'loose']);
      assert.deepEqual(await ids({ GreaterThan: { Key: '_data_source_id', Value: { LongValue: 0 } } }, 'harbour'), []);
    });

    test('facets count documents by data source (a document of none has no value), by language, and nested under a facet of rows', async () => {
      const r = await query({
        QueryText: 'harbour',
        Facets: [{ DocumentAttributeKey: '_data_source_id' }, { DocumentAttributeKey: '_language_code' }, { DocumentAttributeKey: 'team', Facets: [{ DocumentAttributeKey: '_data_source_id' }] }],
      });
      const pairs = (key: string) => r.FacetResults!.find((f) => f.DocumentAttributeKey === key)!.DocumentAttributeValueCountPairs!;
      const flat = (key: string) => pairs(key).map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]);
      assert.deepEqual(flat('_data_source_id'), [[a, 2], [b, 1]]);
      assert.deepEqual(flat('_language_code'), [['en', 4]]);
      const nested = pairs('team').map((p) => [p.DocumentAttributeValue!.StringValue, p.Count, p.FacetResults?.[0]?.DocumentAttributeValueCountPairs?.map((q) => [q.DocumentAttributeValue!.StringValue, q.Count])]);
      assert.deepEqual(nested, [['red', 3, [[a, 1], [b, 1]].sort((x, y) => (x[0]! < y[0]! ? -1 : 1))], ['blue', 1, [[a, 1]]]]);
    });

    test('the store keeps no attribute rows of the two: the columns hold them once', async () => {
      const rows = await storeQuery<{ key: string; n: number }>(store, 'SELECT key, count(*) AS n FROM document_attributes GROUP BY key ORDER BY key');
      assert.deepEqual(rows.map((r) => [r.key, Number(r.n)]), [['_file_type', 4], ['team', 4]]);
    });
  });
}
