// Issue 12 item 6 on both backends, through the JS SDK and boto3: relevance tuning (the index's
// DocumentMetadataConfiguration Relevance and Query's / Retrieve's DocumentRelevanceOverrideConfigurations)
// and CollapseConfiguration. Five documents share one text, so that their text scores tie and the
// untuned order is by document id; each setting must reorder them exactly as documented, and nothing else.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DescribeIndexCommand,
  QueryCommand,
  RetrieveCommand,
  UpdateIndexCommand,
  type DocumentMetadataConfiguration,
  type DocumentRelevanceConfiguration,
  type KendraClient,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-kendra';
import { putIndexed } from './support/acl.js';
import { activeIndex, rejectsWith } from './support/kendra.js';
import { boto3Skip, runBoto3 } from './support/boto3Script.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';


const TEXT = 'Leave policy for all employees.';
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
/** a–e match "leave policy" with one text; f does not match it. Every date is in the past. */
const DOCS = [
  { id: 'a', department: 'legal', priority: 3, published: '2025-06-01', views: 10, product: 'p1', tags: ['policy'], topic: 'rules' },
  { id: 'b', department: 'sales', priority: 1, published: '2019-01-01', views: 50, product: 'p1', tags: ['policy'], topic: 'rules' },
  { id: 'c', department: 'hr', priority: 5, published: '2025-11-01', views: 5, product: 'p2', tags: ['policy'], topic: 'rules' },
  { id: 'd', department: 'sales', published: '2023-01-01', views: 20, tags: ['policy'], topic: 'policy' },
  { id: 'e', department: 'it', priority: 2, tags: ['urgent', 'policy'], topic: 'rules' },
  { id: 'f', department: 'sales', priority: 9, published: '2025-12-01', views: 99, product: 'p1', tags: ['urgent'], topic: 'policy', text: 'Parking rules for visitors.', title: 'Parking' },
  // "handbook": in g's title, three times in h's body.
  { id: 'g', department: 'ops', tags: ['misc'], topic: 'misc', text: 'Parking rules for visitors.', title: 'Handbook' },
  { id: 'h', department: 'ops', tags: ['misc'], topic: 'misc', text: 'The handbook for staff: read the handbook, keep the handbook.', title: 'Parking' },
];
const FIELDS: DocumentMetadataConfiguration[] = [
  { Name: 'department', Type: 'STRING_VALUE' },
  { Name: 'priority', Type: 'LONG_VALUE' },
  { Name: 'published', Type: 'DATE_VALUE' },
  { Name: 'product', Type: 'STRING_VALUE' },
  { Name: 'tags', Type: 'STRING_LIST_VALUE' },
  { Name: 'topic', Type: 'STRING_VALUE' },
  { Name: 'reviewed', Type: 'DATE_VALUE' },
];

const ids = (r: QueryCommandOutput) => r.ResultItems!.map((i) => i.DocumentId!);


for (const backend of backends()) {
  describeOrSkip(`relevance tuning and collapse [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const query = (input: Omit<QueryCommandInput, 'IndexId'>) => k.send(new QueryCommand({ IndexId: indexId, QueryText: 'leave policy', ...input }));
    const tuned = (...DocumentRelevanceOverrideConfigurations: DocumentRelevanceConfiguration[]) => query({ DocumentRelevanceOverrideConfigurations });
    const updateFields = async (DocumentMetadataConfigurationUpdates: DocumentMetadataConfiguration[]) => {
      await k.send(new UpdateIndexCommand({ Id: indexId, DocumentMetadataConfigurationUpdates }));
      await waitFor('index ACTIVE', async () => ((await k.send(new DescribeIndexCommand({ Id: indexId }))).Status === 'ACTIVE' ? true : undefined));
    };

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'relevance');
      await updateFields(FIELDS);
      await putIndexed(k, indexId, DOCS.map((d) => ({
        Id: d.id, Title: d.title ?? 'Leave policy', Blob: Buffer.from(d.text ?? TEXT), ContentType: 'PLAIN_TEXT',
        Attributes: [
          { Key: 'department', Value: { StringValue: d.department } },
          ...(d.priority !== undefined ? [{ Key: 'priority', Value: { LongValue: d.priority } }] : []),
          ...(d.published ? [{ Key: 'published', Value: { DateValue: day(d.published) } }] : []),
          { Key: '_view_count', Value: { LongValue: d.views ?? 0 } },
          ...(d.product ? [{ Key: 'product', Value: { StringValue: d.product } }] : []),
          { Key: 'tags', Value: { StringListValue: d.tags } },
          { Key: 'topic', Value: { StringValue: d.topic } },
        ],
      })));
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('untuned: equal text scores rank by document id; the non-matching document is not a result', async () => {
      const r = await query({});
      assert.deepEqual(ids(r), ['a', 'b', 'c', 'd', 'e']);
      assert.equal(r.TotalNumberOfResults, 5);
      assert.deepEqual(r.ResultItems!.map((i) => i.ScoreAttributes!.ScoreConfidence), ['VERY_HIGH', 'VERY_HIGH', 'VERY_HIGH', 'VERY_HIGH', 'VERY_HIGH']);
    });

    test('Freshness on a DATE field: newer documents first, a document without the date last; Duration keeps that order', async () => {
      assert.deepEqual(ids(await tuned({ Name: 'published', Relevance: { Freshness: true, Importance: 10 } })), ['c', 'a', 'd', 'b', 'e']);
      assert.deepEqual(ids(await tuned({ Name: 'published', Relevance: { Freshness: true, Importance: 1, Duration: '86400s' } })), ['c', 'a', 'd', 'b', 'e']);
      // Freshness off: the date field with only an Importance changes nothing.
      assert.deepEqual(ids(await tuned({ Name: 'published', Relevance: { Freshness: false, Importance: 10 } })), ['a', 'b', 'c', 'd', 'e']);
    });

    test('RankOrder on a LONG field: ASCENDING puts higher numbers first, DESCENDING lower ones; no value gets no boost', async () => {
      assert.deepEqual(ids(await tuned({ Name: 'priority', Relevance: { RankOrder: 'ASCENDING', Importance: 10 } })), ['c', 'a', 'e', 'b', 'd']);
      // DESCENDING: c, the highest, gets no boost, as d without a value: the two tie and keep their id order.
      assert.deepEqual(ids(await tuned({ Name: 'priority', Relevance: { RankOrder: 'DESCENDING', Importance: 10 } })), ['b', 'e', 'a', 'c', 'd']);
      // A reserved field (_view_count) with only an Importance: more views first.
      assert.deepEqual(ids(await tuned({ Name: '_view_count', Relevance: { Importance: 3 } })), ['b', 'd', 'a', 'c', 'e']);
      // RankOrder on a DATE field: later dates first.
      assert.deepEqual(ids(await tuned({ Name: 'published', Relevance: { RankOrder: 'ASCENDING', Importance: 10 } })), ['c', 'a', 'd', 'b', 'e']);
    });

    test('ValueImportanceMap on a STRING field boosts its values by their importance; a field the query names is boosted by its Importance', async () => {
      assert.deepEqual(ids(await tuned({ Name: 'department', Relevance: { ValueImportanceMap: { sales: 10, hr: 3 } } })), ['b', 'd', 'c', 'a', 'e']);
      assert.deepEqual(ids(await tuned({ Name: 'department', Relevance: { Importance: 1, ValueImportanceMap: { IT: 3, HR: 7 } } })), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(ids(await tuned({ Name: 'department', Relevance: { Importance: 1, ValueImportanceMap: { it: 3, hr: 7 } } })), ['c', 'e', 'a', 'b', 'd']);
      // d's topic is "policy", a word of the query.
      assert.deepEqual(ids(await tuned({ Name: 'topic', Relevance: { Importance: 8 } })), ['d', 'a', 'b', 'c', 'e']);
      const combined = await tuned(
        { Name: 'department', Relevance: { ValueImportanceMap: { sales: 10 } } },
        { Name: 'published', Relevance: { Freshness: true, Importance: 10 } },
      );
      // b and d (sales) first, the fresher d ahead; then freshness alone.
      assert.deepEqual(ids(combined), ['d', 'b', 'c', 'a', 'e']);
      assert.equal(combined.TotalNumberOfResults, 5);
    });

    test('the index\'s own Relevance ranks every query; a query override replaces it for that field; a string list is tuned at the index level', async () => {
      await updateFields([
        { Name: 'department', Type: 'STRING_VALUE', Relevance: { ValueImportanceMap: { hr: 10 } } },
        { Name: 'tags', Type: 'STRING_LIST_VALUE', Relevance: { ValueImportanceMap: { urgent: 6 } } },
      ]);
      assert.deepEqual(ids(await query({})), ['c', 'e', 'a', 'b', 'd']);
      assert.deepEqual(ids(await tuned({ Name: 'department', Relevance: { ValueImportanceMap: { legal: 10 } } })), ['a', 'e', 'b', 'c', 'd']);
      // Sorting still decides; relevance only orders what the sort leaves tied.
      const sorted = await query({ SortingConfiguration: { DocumentAttributeKey: 'priority', SortOrder: 'ASC' } });
      assert.deepEqual(ids(sorted), ['b', 'e', 'a', 'c', 'd']);
      await rejectsWith(tuned({ Name: 'tags', Relevance: { ValueImportanceMap: { policy: 10 } } }), 'ValidationException');
      await updateFields([{ Name: 'department', Type: 'STRING_VALUE' }, { Name: 'tags', Type: 'STRING_LIST_VALUE' }]);
      assert.deepEqual(ids(await query({})), ['a', 'b', 'c', 'd', 'e']);
    });

    test('Importance of _document_title and _document_body weighs a match in the title against one in the body', async () => {
      const handbook = (...o: DocumentRelevanceConfiguration[]) => query({ QueryText: 'handbook', DocumentRelevanceOverrideConfigurations: o }).then(ids);
      assert.deepEqual(await query({ QueryText: 'handbook' }).then(ids), ['g', 'h']);
      assert.deepEqual(await handbook({ Name: '_document_title', Relevance: { Importance: 5 } }), ['g', 'h']);
      assert.deepEqual(await handbook({ Name: '_document_title', Relevance: { Importance: 1 } }, { Name: '_document_body', Relevance: { Importance: 10 } }), ['h', 'g']);
      await rejectsWith(handbook({ Name: '_document_body', Relevance: { ValueImportanceMap: { x: 1 } } }), 'ValidationException');
    });

    test('Retrieve honours the overrides: passages of fresher documents first', async () => {
      const r = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText: 'leave policy', DocumentRelevanceOverrideConfigurations: [{ Name: 'published', Relevance: { Freshness: true, Importance: 10 } }] }));
      assert.deepEqual(r.ResultItems!.map((i) => i.DocumentId), ['c', 'a', 'd', 'b', 'e']);
      const plain = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText: 'leave policy' }));
      assert.deepEqual(plain.ResultItems!.map((i) => i.DocumentId), ['a', 'b', 'c', 'd', 'e']);
    });

    test('CollapseConfiguration: one result per value, TotalNumberOfResults counting groups, pages over groups, missing values per strategy', async () => {
      const collapse = (c: QueryCommandInput['CollapseConfiguration'], more: Omit<QueryCommandInput, 'IndexId'> = {}) => query({ CollapseConfiguration: c, ...more });
      const byDept = await collapse({ DocumentAttributeKey: 'department' });
      assert.deepEqual(ids(byDept), ['a', 'b', 'c', 'e']);
      assert.equal(byDept.TotalNumberOfResults, 4);
      assert.deepEqual(byDept.ResultItems!.map((i) => i.CollapsedResultDetail), [
        { DocumentAttribute: { Key: 'department', Value: { StringValue: 'legal' } } },
        { DocumentAttribute: { Key: 'department', Value: { StringValue: 'sales' } } },
        { DocumentAttribute: { Key: 'department', Value: { StringValue: 'hr' } } },
        { DocumentAttribute: { Key: 'department', Value: { StringValue: 'it' } } },
      ]);
      // The primary of the sales group by its newest date: d; the group keeps its place (its best document, b, is second).
      const newest = await collapse({ DocumentAttributeKey: 'department', SortingConfigurations: [{ DocumentAttributeKey: 'published', SortOrder: 'DESC' }], Expand: true });
      assert.deepEqual(ids(newest), ['a', 'd', 'c', 'e']);
      assert.deepEqual(newest.ResultItems!.map((i) => i.CollapsedResultDetail!.ExpandedResults!.map((x) => x.DocumentId)), [[], ['b'], [], []]);
      const expandedB = newest.ResultItems![1]!.CollapsedResultDetail!.ExpandedResults![0]!;
      assert.deepEqual(Object.keys(expandedB).sort(), ['DocumentAttributes', 'DocumentExcerpt', 'DocumentId', 'DocumentTitle', 'Id']);
      assert.deepEqual(expandedB.DocumentTitle, { Text: 'Leave policy', Highlights: [{ BeginOffset: 0, EndOffset: 5, TopAnswer: false, Type: 'STANDARD' }, { BeginOffset: 6, EndOffset: 12, TopAnswer: false, Type: 'STANDARD' }] });
      // Relevance tuning picks the groups' order and primaries too.
      const fresh = await collapse({ DocumentAttributeKey: 'department', Expand: true, ExpandConfiguration: { MaxResultItemsToExpand: 2, MaxExpandedResultsPerItem: 1 } }, { DocumentRelevanceOverrideConfigurations: [{ Name: 'published', Relevance: { Freshness: true, Importance: 10 } }] });
      assert.deepEqual(ids(fresh), ['c', 'a', 'd', 'e']);
      assert.deepEqual(fresh.ResultItems!.map((i) => i.CollapsedResultDetail!.ExpandedResults?.map((x) => x.DocumentId)), [[], [], undefined, undefined]);
      const freshSales = await collapse({ DocumentAttributeKey: 'department', Expand: true, ExpandConfiguration: { MaxResultItemsToExpand: 3, MaxExpandedResultsPerItem: 1 } }, { DocumentRelevanceOverrideConfigurations: [{ Name: 'published', Relevance: { Freshness: true, Importance: 10 } }] });
      assert.deepEqual(freshSales.ResultItems!.map((i) => i.CollapsedResultDetail!.ExpandedResults?.map((x) => x.DocumentId)), [[], [], ['b'], undefined]);

      // product: p1 {a, b}, p2 {c}, missing {d, e}.
      const missing = async (strategy: 'COLLAPSE' | 'EXPAND' | 'IGNORE') => {
        const r = await collapse({ DocumentAttributeKey: 'product', MissingAttributeKeyStrategy: strategy, Expand: true });
        return [ids(r), r.TotalNumberOfResults, r.ResultItems!.map((i) => [i.CollapsedResultDetail!.DocumentAttribute!.Value, i.CollapsedResultDetail!.ExpandedResults?.map((x) => x.DocumentId)])];
      };
      assert.deepEqual(await missing('COLLAPSE'), [['a', 'c', 'd'], 3, [[{ StringValue: 'p1' }, ['b']], [{ StringValue: 'p2' }, []], [{}, ['e']]]]);
      assert.deepEqual(await missing('EXPAND'), [['a', 'c', 'd', 'e'], 4, [[{ StringValue: 'p1' }, ['b']], [{ StringValue: 'p2' }, []], [{}, undefined], [{}, undefined]]]);
      assert.deepEqual(await missing('IGNORE'), [['a', 'c'], 2, [[{ StringValue: 'p1' }, ['b']], [{ StringValue: 'p2' }, []]]]);
      const second = await collapse({ DocumentAttributeKey: 'product' }, { PageSize: 1, PageNumber: 2 });
      assert.deepEqual([ids(second), second.TotalNumberOfResults], [['c'], 3]);
      const past = await collapse({ DocumentAttributeKey: 'product' }, { PageSize: 10, PageNumber: 2 });
      assert.deepEqual([ids(past), past.TotalNumberOfResults], [[], 3]);
      // A LONG key; facets still count documents.
      const byPriority = await collapse({ DocumentAttributeKey: 'priority', MissingAttributeKeyStrategy: 'IGNORE' }, { Facets: [{ DocumentAttributeKey: 'department' }] });
      assert.deepEqual([ids(byPriority), byPriority.TotalNumberOfResults], [['a', 'b', 'c', 'e'], 4]);
      assert.deepEqual(byPriority.ResultItems![0]!.CollapsedResultDetail!.DocumentAttribute, { Key: 'priority', Value: { LongValue: 3 } });
      assert.deepEqual(byPriority.FacetResults![0]!.DocumentAttributeValueCountPairs!.map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]), [['sales', 2], ['hr', 1], ['it', 1], ['legal', 1]]);
    });

    test('bad tuning and collapse settings are ValidationExceptions', async () => {
      const bad = [
        { Name: 'nosuchfield', Relevance: { Importance: 5 } },
        { Name: 'department', Relevance: { Freshness: true } },
        { Name: 'department', Relevance: { RankOrder: 'ASCENDING' as const } },
        { Name: 'priority', Relevance: { ValueImportanceMap: { x: 5 } as Record<string, number> } },
        { Name: 'priority', Relevance: { Duration: '600s' } },
        { Name: 'published', Relevance: { Freshness: true, Duration: '0s' } },
        { Name: 'published', Relevance: { Importance: 11 } },
        { Name: 'published', Relevance: { Importance: 0 } },
        { Name: 'published', Relevance: { Duration: '10 days' } },
        { Name: 'department', Relevance: { ValueImportanceMap: { sales: 12 } } },
      ];
      for (const o of bad) await rejectsWith(tuned(o), 'ValidationException');
      await rejectsWith(tuned({ Name: 'department', Relevance: { Importance: 2 } }, { Name: 'department', Relevance: { Importance: 3 } }), 'ValidationException');
      await rejectsWith(tuned({ Name: 'published', Relevance: { Freshness: true } }, { Name: 'reviewed', Relevance: { Freshness: true } }), 'ValidationException');
      // kendrite's bound: 1,000 values in all ValueImportanceMaps of a search (here 1,001 over two fields, then 1,000: hr first, then d, whose topic "policy" the query names).
      const values = (n: number, prefix: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 1]));
      await rejectsWith(tuned({ Name: 'department', Relevance: { ValueImportanceMap: values(600, 'd') } }, { Name: 'topic', Relevance: { ValueImportanceMap: values(401, 't') } }), 'ValidationException');
      assert.deepEqual(ids(await tuned({ Name: 'department', Relevance: { ValueImportanceMap: { ...values(599, 'd'), hr: 10 } } }, { Name: 'topic', Relevance: { ValueImportanceMap: values(400, 't') } })), ['c', 'd', 'a', 'b', 'e']);
      await rejectsWith(query({ DocumentRelevanceOverrideConfigurations: Array.from({ length: 501 }, () => ({ Name: 'department', Relevance: { Importance: 1 } })) }), 'ValidationException');
      await rejectsWith(k.send(new UpdateIndexCommand({ Id: indexId, DocumentMetadataConfigurationUpdates: [{ Name: 'reviewed', Type: 'DATE_VALUE', Relevance: { Freshness: true } }, { Name: 'published', Type: 'DATE_VALUE', Relevance: { Freshness: true } }] })), 'ValidationException');
      await rejectsWith(k.send(new UpdateIndexCommand({ Id: indexId, DocumentMetadataConfigurationUpdates: [{ Name: 'topic', Type: 'STRING_VALUE', Relevance: { Freshness: true } }] })), 'ValidationException');
      const collapse = (c: QueryCommandInput['CollapseConfiguration']) => query({ CollapseConfiguration: c });
      await rejectsWith(collapse({ DocumentAttributeKey: 'published' }), 'ValidationException');
      await rejectsWith(collapse({ DocumentAttributeKey: 'tags' }), 'ValidationException');
      await rejectsWith(collapse({ DocumentAttributeKey: 'department', SortingConfigurations: [{ DocumentAttributeKey: 'tags', SortOrder: 'ASC' }] }), 'ValidationException');
      await rejectsWith(collapse({ DocumentAttributeKey: 'department', Expand: true, ExpandConfiguration: { MaxExpandedResultsPerItem: 0 } }), 'ValidationException');
      await rejectsWith(collapse({ DocumentAttributeKey: 'department', Expand: true, ExpandConfiguration: { MaxResultItemsToExpand: 101 } }), 'ValidationException');
      await rejectsWith(collapse({ DocumentAttributeKey: 'department', MissingAttributeKeyStrategy: 'DROP' as never }), 'ValidationException');
      // Nothing of the above changed the index's ranking.
      assert.deepEqual(ids(await query({})), ['a', 'b', 'c', 'd', 'e']);
    });

    test('boto3: tuning, overrides, collapse and their errors', { skip: boto3Skip }, async () => {
      const report = await runBoto3('boto3_relevance.py', [server.url]);
      assert.deepEqual(report, {
        untuned: [['a', 'b', 'c', 'd', 'e'], 5],
        freshness: [['c', 'a', 'd', 'b', 'e'], 5],
        valueImportance: [['b', 'd', 'c', 'a', 'e'], 5],
        rankOrder: [['c', 'a', 'e', 'b', 'd'], 5],
        indexTuned: [['c', 'e', 'a', 'b', 'd'], 5],
        retrieve: ['c', 'a', 'd', 'b', 'e'],
        collapse: [['a', 'c', 'd'], 3, [[{ StringValue: 'p1' }, ['b']], [{ StringValue: 'p2' }, []], [{}, ['e']]]],
        errors: { unknownField: 'ValidationException', freshnessOnString: 'ValidationException', importance11: 'ValidationException', collapseOnDate: 'ValidationException' },
      });
    });
  });
}
