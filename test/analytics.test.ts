import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetSnapshotsCommand, QueryCommand, SubmitFeedbackCommand, type GetSnapshotsCommandInput, type KendraClient } from '@aws-sdk/client-kendra';
import { putIndexed } from './support/acl.js';
import { activeIndex, rejectsWith } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { execSql } from './support/sql.js';

const DAY = 86_400_000;
const text = (body: string) => ({ Blob: Buffer.from(body), ContentType: 'PLAIN_TEXT' as const });
const DOCS = [
  { Id: 'report-2049', Title: 'Annual report 2049', ...text('The annual report of 2049.') },
  { Id: 'report-2050', Title: 'Annual report 2050', ...text('The annual report of 2050.') },
  { Id: 'travel', Title: 'Travel policy', ...text('The travel policy and the holiday schedule.') },
];

/** Last week (Sunday to Saturday, UTC), as Kendra's ONE_WEEK_AGO. */
function lastWeek(): { start: number; days: string[] } {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const start = today - new Date(today).getUTCDay() * DAY - 7 * DAY;
  return { start, days: Array.from({ length: 7 }, (_, i) => new Date(start + i * DAY).toISOString().slice(0, 10)) };
}

for (const backend of backends()) {
  describeOrSkip(`analytics: GetSnapshots over the query log and clicks [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const snapshot = (MetricType: GetSnapshotsCommandInput['MetricType'], Interval: GetSnapshotsCommandInput['Interval'] = 'ONE_WEEK_AGO', more: Partial<GetSnapshotsCommandInput> = {}) =>
      k.send(new GetSnapshotsCommand({ IndexId: indexId, Interval, MetricType, ...more }));
    const data = async (MetricType: GetSnapshotsCommandInput['MetricType'], Interval: GetSnapshotsCommandInput['Interval'] = 'ONE_WEEK_AGO') => {
      const r = await snapshot(MetricType, Interval);
      return [r.SnapshotsDataHeader, ...r.SnapshotsData!];
    };

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'analytics');
      await putIndexed(k, indexId, DOCS);
      // Searches and clicks through the API, as an application makes them.
      const search = async (QueryText: string, UserId?: string) => k.send(new QueryCommand({ IndexId: indexId, QueryText, ...(UserId ? { UserContext: { UserId } } : {}) }));
      const click = async (r: Awaited<ReturnType<typeof search>>, documentId: string, times = 1) => {
        const item = r.ResultItems!.find((i) => i.DocumentId === documentId)!;
        for (let i = 0; i < times; i++) await k.send(new SubmitFeedbackCommand({ IndexId: indexId, QueryId: r.QueryId, ClickFeedbackItems: [{ ResultId: item.Id, ClickTime: new Date() }] }));
      };
      await click(await search('annual report', 'alice'), 'report-2050');
      await click(await search('Annual  "Report"'), 'report-2050', 2);
      await search('annual report');
      await search('"zzzz qqqq"');
      await search('"zzzz qqqq"', 'bob');
      await click(await search('travel policy'), 'travel');
      await search('holiday schedule');
      // Into the past, as history the API cannot make: these searches happened a week ago, the last two weeks ago.
      await server.stop();
      await execSql(store, [
        { sql: 'UPDATE query_log SET at = at - ? WHERE index_id = ? AND normalized_text <> ?', params: [7 * DAY, indexId, 'holiday schedule'] },
        { sql: 'UPDATE query_log SET at = at - ? WHERE index_id = ? AND normalized_text = ?', params: [14 * DAY, indexId, 'holiday schedule'] },
      ]);
      server = await TestServer.start(store);
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('QUERIES_BY_COUNT, QUERIES_BY_ZERO_CLICK_RATE, QUERIES_BY_ZERO_RESULT_RATE: queries compared as suggestions are', async () => {
      assert.deepEqual(await data('QUERIES_BY_COUNT'), [['query_content', 'count'], ['annual report', '3'], ['zzzz qqqq', '2'], ['travel policy', '1']]);
      assert.deepEqual(await data('QUERIES_BY_ZERO_CLICK_RATE'), [['query_content', 'zero_click_rate', 'count'], ['zzzz qqqq', '1', '2'], ['annual report', '0.3333', '3']]);
      assert.deepEqual(await data('QUERIES_BY_ZERO_RESULT_RATE'), [['query_content', 'zero_result_rate', 'count'], ['zzzz qqqq', '1', '2']]);
    });

    test('DOCS_BY_CLICK_COUNT: each click names its document through the result it was on', async () => {
      assert.deepEqual(await data('DOCS_BY_CLICK_COUNT'), [['document_id', 'click_count'], ['report-2050', '3'], ['travel', '1']]);
    });

    test('AGG_QUERY_DOC_METRICS and TREND_QUERY_DOC_METRICS: rates over the interval and per day', async () => {
      assert.deepEqual(await data('AGG_QUERY_DOC_METRICS'), [
        ['total_queries', 'unique_queries', 'click_through_rate', 'zero_click_rate', 'zero_result_rate', 'instant_answer_rate'],
        ['6', '3', '0.5', '0.5', '0.3333', '0'],
      ]);
      const { start, days } = lastWeek();
      const searchedOn = new Date(Math.floor(Date.now() / DAY) * DAY - 7 * DAY).toISOString().slice(0, 10);
      const r = await snapshot('TREND_QUERY_DOC_METRICS');
      assert.deepEqual(r.SnapShotTimeFilter, { StartTime: new Date(start), EndTime: new Date(start + 7 * DAY) });
      assert.deepEqual(r.SnapshotsDataHeader, ['date', 'total_queries', 'click_through_rate', 'zero_click_rate', 'zero_result_rate', 'instant_answer_rate']);
      assert.deepEqual(r.SnapshotsData, days.map((d) => (d === searchedOn ? [d, '6', '0.5', '0.5', '0.3333', '0'] : [d, '0', '0', '0', '0', '0'])));
    });

    test('each interval sees its own days: TWO_WEEKS_AGO the older search, THIS_WEEK none of them', async () => {
      assert.deepEqual(await data('QUERIES_BY_COUNT', 'TWO_WEEKS_AGO'), [['query_content', 'count'], ['holiday schedule', '1']]);
      assert.deepEqual(await data('QUERIES_BY_COUNT', 'THIS_WEEK'), [['query_content', 'count']]);
      const month = await snapshot('AGG_QUERY_DOC_METRICS', 'TWO_MONTHS_AGO');
      assert.deepEqual(month.SnapshotsData, [['0', '0', '0', '0', '0', '0']]);
      const now = new Date();
      assert.deepEqual(month.SnapShotTimeFilter, { StartTime: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)), EndTime: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)) });
    });

    test('MaxResults pages the records; a NextToken serves only the request it came from', async () => {
      const first = await snapshot('QUERIES_BY_COUNT', 'ONE_WEEK_AGO', { MaxResults: 2 });
      assert.deepEqual(first.SnapshotsData, [['annual report', '3'], ['zzzz qqqq', '2']]);
      const second = await snapshot('QUERIES_BY_COUNT', 'ONE_WEEK_AGO', { MaxResults: 2, NextToken: first.NextToken });
      assert.deepEqual(second.SnapshotsData, [['travel policy', '1']]);
      assert.equal(second.NextToken, undefined);
      await rejectsWith(snapshot('DOCS_BY_CLICK_COUNT', 'ONE_WEEK_AGO', { NextToken: first.NextToken }), 'ValidationException');
      await rejectsWith(snapshot('QUERIES_BY_COUNT', 'ONE_WEEK_AGO', { MaxResults: 0 }), 'ValidationException');
      await rejectsWith(k.send(new GetSnapshotsCommand({ IndexId: '00000000-0000-0000-0000-000000000000', Interval: 'THIS_WEEK', MetricType: 'QUERIES_BY_COUNT' })), 'ResourceNotFoundException');
    });

    test('retention: entries older than queryLog.retentionDays are removed, with their clicks', async () => {
      await server.stop();
      server = await TestServer.start(store, { config: { queryLog: { retentionDays: 10 } } });
      k = server.client();
      assert.deepEqual(await data('QUERIES_BY_COUNT', 'TWO_WEEKS_AGO'), [['query_content', 'count']]);
      assert.deepEqual(await data('QUERIES_BY_COUNT'), [['query_content', 'count'], ['annual report', '3'], ['zzzz qqqq', '2'], ['travel policy', '1']]);
    });
  });
}
