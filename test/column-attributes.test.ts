// _data_source_id, _language_code, _source_uri and _file_type are columns of documents: neither backend keeps
// document_attributes rows of theirs (search/attributeRows.ts), and every search that reads attribute values (filters
// by either plan, facets, nested facets, value types, sorting, attribute suggestions) reads them from the columns, on
// both backends alike (_file_type as coalesce(file_type, content_type): file_type only where a document named another).
// A FAILED document keeps its _source_uri attribute with the column null, an UPDATE_FAILED one the values it was last
// indexed with: neither the failed document nor the value its failed update carried is found.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  CreateDataSourceCommand,
  DescribeDataSourceCommand,
  GetQuerySuggestionsCommand,
  QueryCommand,
  UpdateQuerySuggestionsConfigCommand,
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
const uri = (name: string) => `https://harbour.example/${name}`;
const at = (name: string): Document['Attributes'] => [{ Key: '_source_uri', Value: { StringValue: uri(name) } }];
/** A document whose text cannot be extracted (not a PDF): FAILED when new, UPDATE_FAILED over an indexed one. */
const unreadable = (Id: string, team: string, extra: Document['Attributes']): Document => ({ ...doc(Id, team, extra), ContentType: 'PDF' });


for (const backend of backends()) {
  describeOrSkip(`_data_source_id, _language_code, _source_uri and _file_type read from the documents' columns [${backend.name}]`, { skip: backend.skip }, () => {
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
      await putInJob(k, indexId, a, [doc('a1', 'red', at('a1')), doc('a2', 'blue', at('a2'))]);
      // b1 names a file type of its own, not its content type.
      await putInJob(k, indexId, b, [doc('b1', 'red', [{ Key: '_file_type', Value: { StringValue: 'HTML' } }])]);
      const put = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [doc('loose', 'red', [{ Key: '_language_code', Value: { StringValue: 'en' } }, ...at('loose')!])] }));
      assert.deepEqual(put.FailedDocuments, []);
      await waitFor('loose indexed', async () => ((await query({ QueryText: 'harbour' })).TotalNumberOfResults === 4 ? true : undefined));
      // A new document that fails, and a failed update of loose (its new URI is not what it is indexed with).
      const failing = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [unreadable('broken', 'red', at('broken')), unreadable('loose', 'red', at('loose-new'))] }));
      assert.deepEqual(failing.FailedDocuments, []);
      await waitFor('broken FAILED, loose UPDATE_FAILED', async () => {
        const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: [{ DocumentId: 'broken' }, { DocumentId: 'loose' }] }));
        const got = Object.fromEntries(r.DocumentStatusList!.map((d) => [d.DocumentId, d.DocumentStatus]));
        return got.broken === 'FAILED' && got.loose === 'UPDATE_FAILED' ? true : undefined;
      });
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

    const byFileType = (type: string): AttributeFilter => ({ EqualsTo: { Key: '_file_type', Value: { StringValue: type } } });

    test('EqualsTo a file type: the content type, or the one a document named; negated; the failed document\'s matches nothing', async () => {
      assert.deepEqual(await ids(byFileType('PLAIN_TEXT'), 'harbour'), ['a1', 'a2', 'loose']);
      assert.deepEqual(await ids(byFileType('PLAIN_TEXT')), ['a1', 'a2', 'loose']);
      assert.deepEqual(await ids(byFileType('HTML'), 'harbour'), ['b1']);
      assert.deepEqual(await ids(byFileType('HTML')), ['b1']);
      assert.deepEqual(await ids(byFileType('PDF')), []);
      assert.deepEqual(await ids({ NotFilter: byFileType('HTML') }, 'harbour'), ['a1', 'a2', 'loose']);
      assert.deepEqual(await ids({ AndAllFilters: [byFileType('PLAIN_TEXT'), { EqualsTo: { Key: 'team', Value: { StringValue: 'red' } } }] }), ['a1', 'loose']);
      assert.deepEqual(await ids({ ContainsAny: { Key: '_file_type', Value: { StringListValue: ['HTML'] } } }, 'harbour'), []);
    });

    test('facets and sorting by file type, and its attribute suggestions', async () => {
      const r = await query({ QueryText: 'harbour', Facets: [{ DocumentAttributeKey: '_file_type' }, { DocumentAttributeKey: 'team', Facets: [{ DocumentAttributeKey: '_file_type' }] }] });
      const pairs = (key: string) => r.FacetResults!.find((f) => f.DocumentAttributeKey === key)!.DocumentAttributeValueCountPairs!;
      assert.deepEqual(pairs('_file_type').map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]), [['PLAIN_TEXT', 3], ['HTML', 1]]);
      assert.deepEqual(pairs('team').map((p) => [p.DocumentAttributeValue!.StringValue, p.FacetResults?.[0]?.DocumentAttributeValueCountPairs?.map((q) => [q.DocumentAttributeValue!.StringValue, q.Count])]), [
        ['red', [['PLAIN_TEXT', 2], ['HTML', 1]]], ['blue', [['PLAIN_TEXT', 1]]],
      ]);
      const sorted = async (SortOrder: 'ASC' | 'DESC') =>
        (await query({ QueryText: 'harbour', SortingConfiguration: { DocumentAttributeKey: '_file_type', SortOrder } })).ResultItems!.map((i) => i.DocumentId);
      assert.deepEqual((await sorted('ASC'))[0], 'b1');
      assert.deepEqual((await sorted('DESC'))[3], 'b1');
      await k.send(new UpdateQuerySuggestionsConfigCommand({ IndexId: indexId, AttributeSuggestionsConfig: { AttributeSuggestionsMode: 'ACTIVE', SuggestableConfigList: [{ AttributeName: '_file_type', Suggestable: true }] } }));
      const s = await k.send(new GetQuerySuggestionsCommand({ IndexId: indexId, QueryText: 'htm', SuggestionTypes: ['DOCUMENT_ATTRIBUTES'], AttributeSuggestionsConfig: { SuggestionAttributes: ['_file_type'], AdditionalResponseAttributes: ['_file_type'] } }));
      assert.deepEqual(s.Suggestions!.map((x) => [x.Value!.Text!.Text, x.SourceDocuments!.map((d) => [d.DocumentId, d.AdditionalAttributes!.map((a) => a.Value!.StringValue)])]), [['HTML', [['b1', ['HTML']]]]]);
    });

    const bySourceUri = (name: string): AttributeFilter => ({ EqualsTo: { Key: '_source_uri', Value: { StringValue: uri(name) } } });

    test('EqualsTo a source URI, alone and with query text, negated; the failed document\'s and the failed update\'s URIs match nothing', async () => {
      assert.deepEqual(await ids(bySourceUri('a1'), 'harbour'), ['a1']);
      assert.deepEqual(await ids(bySourceUri('a1')), ['a1']);
      assert.deepEqual(await ids(bySourceUri('loose'), 'harbour'), ['loose']);
      assert.deepEqual(await ids(bySourceUri('loose-new'), 'harbour'), []);
      assert.deepEqual(await ids(bySourceUri('broken')), []);
      assert.deepEqual(await ids({ NotFilter: bySourceUri('a1') }, 'harbour'), ['a2', 'b1', 'loose']);
      assert.deepEqual(await ids({ AndAllFilters: [bySourceUri('a2'), { EqualsTo: { Key: 'team', Value: { StringValue: 'blue' } } }] }), ['a2']);
      assert.deepEqual(await ids({ ContainsAny: { Key: '_source_uri', Value: { StringListValue: [uri('a1')] } } }, 'harbour'), []);
    });

    test('results carry the URI as DocumentURI and as the _source_uri attribute, the failed update\'s not', async () => {
      const r = await query({ QueryText: 'harbour' });
      const seen = r.ResultItems!.map((i) => [i.DocumentId, i.DocumentURI, i.DocumentAttributes?.find((x) => x.Key === '_source_uri')?.Value?.StringValue]).sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
      assert.deepEqual(seen, [['a1', uri('a1'), uri('a1')], ['a2', uri('a2'), uri('a2')], ['b1', undefined, undefined], ['loose', uri('loose'), uri('loose')]]);
    });

    test('facets and sorting by the source URI: the searchable documents\' values, a document without one last', async () => {
      const r = await query({ QueryText: 'harbour', Facets: [{ DocumentAttributeKey: '_source_uri' }, { DocumentAttributeKey: 'team', Facets: [{ DocumentAttributeKey: '_source_uri' }] }] });
      const pairs = (key: string) => r.FacetResults!.find((f) => f.DocumentAttributeKey === key)!.DocumentAttributeValueCountPairs!;
      assert.deepEqual(pairs('_source_uri').map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]), [[uri('a1'), 1], [uri('a2'), 1], [uri('loose'), 1]]);
      assert.deepEqual(pairs('team').map((p) => [p.DocumentAttributeValue!.StringValue, p.FacetResults?.[0]?.DocumentAttributeValueCountPairs?.map((q) => q.DocumentAttributeValue!.StringValue)]), [
        ['red', [uri('a1'), uri('loose')]], ['blue', [uri('a2')]],
      ]);
      const sorted = async (SortOrder: 'ASC' | 'DESC') =>
        (await query({ QueryText: 'harbour', SortingConfiguration: { DocumentAttributeKey: '_source_uri', SortOrder } })).ResultItems!.map((i) => i.DocumentId);
      assert.deepEqual(await sorted('ASC'), ['a1', 'a2', 'loose', 'b1']);
      assert.deepEqual(await sorted('DESC'), ['loose', 'a2', 'a1', 'b1']);
    });

    test('attribute suggestions of the source URI: the searchable documents\' values only', async () => {
      await k.send(new UpdateQuerySuggestionsConfigCommand({ IndexId: indexId, AttributeSuggestionsConfig: { AttributeSuggestionsMode: 'ACTIVE', SuggestableConfigList: [{ AttributeName: '_source_uri', Suggestable: true }] } }));
      const r = await k.send(new GetQuerySuggestionsCommand({
        IndexId: indexId, QueryText: 'https://harbour', SuggestionTypes: ['DOCUMENT_ATTRIBUTES'],
        AttributeSuggestionsConfig: { SuggestionAttributes: ['_source_uri'], AdditionalResponseAttributes: ['_source_uri', '_data_source_id', 'team'] },
      }));
      const got = r.Suggestions!.map((x) => [x.Value!.Text!.Text, x.SourceDocuments!.map((d) => [d.DocumentId, d.SuggestionAttributes])]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1));
      assert.deepEqual(got, [[uri('a1'), [['a1', ['_source_uri']]]], [uri('a2'), [['a2', ['_source_uri']]]], [uri('loose'), [['loose', ['_source_uri']]]]]);
      // The additional attributes in the order the document gave them, the data source and URI from the columns.
      const additional = Object.fromEntries(r.Suggestions!.flatMap((x) => x.SourceDocuments!.map((d) => [d.DocumentId, d.AdditionalAttributes!.map((x) => `${x.Key}=${x.Value!.StringValue}`)])));
      assert.deepEqual(additional, {
        a1: [`_data_source_id=${a}`, 'team=red', `_source_uri=${uri('a1')}`],
        a2: [`_data_source_id=${a}`, 'team=blue', `_source_uri=${uri('a2')}`],
        loose: ['team=red', `_source_uri=${uri('loose')}`],
      });
    });

    test('a result\'s attributes are those the document was given, in their order, with its data source and language', async () => {
      const r = await query({ QueryText: 'harbour' });
      const attrs = Object.fromEntries(r.ResultItems!.map((i) => [i.DocumentId, i.DocumentAttributes!.map((x) => `${x.Key}=${x.Value!.StringValue}`)]));
      assert.deepEqual(attrs, {
        a1: [`_data_source_id=${a}`, 'team=red', `_source_uri=${uri('a1')}`, '_file_type=PLAIN_TEXT', '_language_code=en'],
        a2: [`_data_source_id=${a}`, 'team=blue', `_source_uri=${uri('a2')}`, '_file_type=PLAIN_TEXT', '_language_code=en'],
        b1: [`_data_source_id=${b}`, 'team=red', '_file_type=HTML', '_language_code=en'],
        loose: ['team=red', `_source_uri=${uri('loose')}`, '_file_type=PLAIN_TEXT', '_language_code=en'],
      });
    });

    test('the stored attributes name the data source (0), the URI (1) and the file type (2), held by columns, by numbers; a failed document keeps them whole', async () => {
      const rows = await storeQuery<{ id: string; attributes: string }>(store, "SELECT document_id AS id, attributes FROM documents WHERE document_id IN ('a1', 'b1', 'loose', 'broken') ORDER BY document_id");
      const shown = Object.fromEntries(rows.map((r) => [r.id, (JSON.parse(r.attributes) as (number | { Key: string; Value: { StringValue?: string } })[]).map((x) => (typeof x === 'number' ? x : `${x.Key}=${x.Value.StringValue}`))]));
      assert.deepEqual(shown, {
        a1: [0, 'team=red', 1, 2],
        b1: [0, 'team=red', 2],
        loose: ['team=red', '_language_code=en', 1, 2],
        broken: ['team=red', `_source_uri=${uri('broken')}`],
      });
    });

    test('the store keeps no attribute rows of the four: the columns hold them once (the failed document\'s URI in its JSON only; file_type only where it is not the content type)', async () => {
      const rows = await storeQuery<{ key: string; n: number }>(store, 'SELECT key, count(*) AS n FROM document_attributes GROUP BY key ORDER BY key');
      assert.deepEqual(rows.map((r) => [r.key, Number(r.n)]), [['team', 5]]);
      const types = await storeQuery<{ id: string; content_type: string | null; file_type: string | null }>(store, 'SELECT document_id AS id, content_type, file_type FROM documents ORDER BY document_id');
      assert.deepEqual(types.map((r) => [r.id, r.content_type, r.file_type]), [
        ['a1', 'PLAIN_TEXT', null], ['a2', 'PLAIN_TEXT', null], ['b1', 'PLAIN_TEXT', 'HTML'], ['broken', null, null], ['loose', 'PLAIN_TEXT', null],
      ]);
      // Nor the columns nothing read (a connector's version and the last sync that saw a document are synced_documents'):
      // gone since SQLite's version 30 and PostgreSQL's 29.
      const unread = await storeQuery<{ c: string }>(store, store.backend === 'sqlite'
        ? "SELECT name AS c FROM pragma_table_info('documents') WHERE name IN ('version', 'seen_by')"
        : "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'documents' AND column_name IN ('version', 'seen_by')");
      assert.deepEqual(unread, []);
      const failed = await storeQuery<{ source_uri: string | null; attributes: string }>(store, "SELECT source_uri, attributes FROM documents WHERE document_id = 'broken'");
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.source_uri, null);
      assert.deepEqual((JSON.parse(failed[0]!.attributes) as { Key: string; Value: { StringValue?: string } }[]).find((x) => x.Key === '_source_uri')?.Value.StringValue, uri('broken'));
    });

    test('rows written before, holding the columns\' attributes as their keys alone in lists of one, read the same', async () => {
      const attrs = async () => Object.fromEntries((await query({ QueryText: 'harbour' })).ResultItems!.map((i) => [i.DocumentId, i.DocumentAttributes!.map((x) => `${x.Key}=${x.Value!.StringValue}`)]));
      const filtered = async () => [await ids({ EqualsTo: { Key: '_source_uri', Value: { StringValue: uri('a1') } } }), await ids({ EqualsTo: { Key: 'team', Value: { StringValue: 'red' } } })];
      const before = [await attrs(), await filtered()];
      const keys = ['_data_source_id', '_source_uri', '_file_type'];
      const rows = await storeQuery<{ id: string; attributes: string }>(store, "SELECT document_id AS id, attributes FROM documents WHERE document_id IN ('a1', 'b1', 'loose')");
      assert.equal(rows.length, 3);
      for (const r of rows) {
        const old = JSON.stringify((JSON.parse(r.attributes) as unknown[]).map((x) => (typeof x === 'number' ? [keys[x]] : x)));
        assert.ok(old.includes('["_file_type"]'), old);
        await storeQuery(store, 'UPDATE documents SET attributes = ? WHERE document_id = ?', [old, r.id]);
      }
      assert.deepEqual([await attrs(), await filtered()], before);
      assert.deepEqual((before[1] as string[][]).map((x) => x.length), [1, 3]);
    });
  });
}
