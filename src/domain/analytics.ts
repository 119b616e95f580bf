/**
 * GetSnapshots: search analytics over the query log (domain/queryLog.ts) and SubmitFeedback's clicks.
 *
 * Intervals are Kendra's, in UTC (kendrite's index time zone): THIS_WEEK runs from Sunday to the
 * day before today, ONE_WEEK_AGO and TWO_WEEKS_AGO are whole weeks Sunday to Saturday; THIS_MONTH
 * runs from the 1st to the day before today, ONE_MONTH_AGO and TWO_MONTHS_AGO are whole months.
 * SnapShotTimeFilter gives the interval: StartTime its first instant, EndTime the instant it ends
 * (midnight after its last day).
 *
 * Queries are compared as suggestions compare them (lower case, quotes ignored, white space
 * collapsed). A query "has a click" when SubmitFeedback reported a click on one of its results.
 * Rates are fractions from 0 to 1, written with up to four decimals. Every value is a string (the
 * model's SnapshotsDataRecord is a list of strings). The data of each MetricType:
 *
 * - QUERIES_BY_COUNT: query_content, count — most searched first.
 * - QUERIES_BY_ZERO_CLICK_RATE: query_content, zero_click_rate, count — queries searched without
 *   any click, the highest rate first (then the most searched).
 * - QUERIES_BY_ZERO_RESULT_RATE: query_content, zero_result_rate, count — likewise for searches that found nothing.
 * - DOCS_BY_CLICK_COUNT: document_id, click_count — most clicked first.
 * - AGG_QUERY_DOC_METRICS: one row — total_queries, unique_queries, click_through_rate,
 *   zero_click_rate, zero_result_rate, instant_answer_rate.
 * - TREND_QUERY_DOC_METRICS: one row per day of the interval (date as YYYY-MM-DD), oldest first —
 *   date, total_queries, click_through_rate, zero_click_rate, zero_result_rate, instant_answer_rate.
 *
 * instant_answer_rate counts queries answered by an ANSWER (an answer found in a document) or a
 * QUESTION_ANSWER (an FAQ) result. Ties are ordered by the text (or id) so pages are stable.
 * MaxResults (default 100) pages the records; NextToken is signed and bound to the request.
 */
import type { QueryLogStore, QueryRates } from '../store/queryLog.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { invalid } from './errors.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';
import type { QueryLog } from './queryLog.js';

const DAY_MS = 86_400_000;
const DEFAULT_MAX_RESULTS = 100;

export type Interval = 'THIS_MONTH' | 'THIS_WEEK' | 'ONE_WEEK_AGO' | 'TWO_WEEKS_AGO' | 'ONE_MONTH_AGO' | 'TWO_MONTHS_AGO';
export type MetricType = 'QUERIES_BY_COUNT' | 'QUERIES_BY_ZERO_CLICK_RATE' | 'QUERIES_BY_ZERO_RESULT_RATE' | 'DOCS_BY_CLICK_COUNT' | 'AGG_QUERY_DOC_METRICS' | 'TREND_QUERY_DOC_METRICS';

export const HEADERS: Record<MetricType, string[]> = {
  QUERIES_BY_COUNT: ['query_content', 'count'],
  QUERIES_BY_ZERO_CLICK_RATE: ['query_content', 'zero_click_rate', 'count'],
  QUERIES_BY_ZERO_RESULT_RATE: ['query_content', 'zero_result_rate', 'count'],
  DOCS_BY_CLICK_COUNT: ['document_id', 'click_count'],
  AGG_QUERY_DOC_METRICS: ['total_queries', 'unique_queries', 'click_through_rate', 'zero_click_rate', 'zero_result_rate', 'instant_answer_rate'],
  TREND_QUERY_DOC_METRICS: ['date', 'total_queries', 'click_through_rate', 'zero_click_rate', 'zero_result_rate', 'instant_answer_rate'],
};

export interface SnapshotsInput {
  IndexId: string;
  Interval: Interval;
  MetricType: MetricType;
  NextToken?: string;
  MaxResults?: number;
}

export class Analytics {
  constructor(
    private readonly store: QueryLogStore,
    private readonly log: QueryLog,
    private readonly indices: Indices,
    private readonly tokens: PageTokens,
    private readonly clock: Clock,
  ) {}

  async snapshots(scope: Scope, input: SnapshotsInput) {
    await this.indices.get(scope, input.IndexId);
    const max = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    if (!Number.isInteger(max) || max < 1) throw invalid(`MaxResults must be 1 or more; got ${max}.`);
    const { start, end } = intervalRange(input.Interval, this.clock());
    const binding = `GetSnapshots\n${input.IndexId}\n${input.Interval}\n${input.MetricType}\n${start}`;
    const offset = input.NextToken ? Number(this.tokens.read(binding, input.NextToken)[0]) : 0;
    await this.log.flush();
    const records = await this.records(input.IndexId, input.MetricType, start, end);
    const page = records.slice(offset, offset + max);
    return {
      SnapShotTimeFilter: { StartTime: new Date(start), EndTime: new Date(end) },
      SnapshotsDataHeader: HEADERS[input.MetricType],
      SnapshotsData: page,
      ...(offset + max < records.length ? { NextToken: this.tokens.issue(binding, [offset + max]) } : {}),
    };
  }

  private async records(indexId: string, metric: MetricType, start: number, end: number): Promise<string[][]> {
    switch (metric) {
      case 'QUERIES_BY_COUNT':
        return (await this.store.rates(indexId, start, end, 'text')).sort(byCount).map((r) => [String(r.key), String(r.searches)]);
      case 'QUERIES_BY_ZERO_CLICK_RATE':
        return rated(await this.store.rates(indexId, start, end, 'text'), (r) => r.searches - r.clicked);
      case 'QUERIES_BY_ZERO_RESULT_RATE':
        return rated(await this.store.rates(indexId, start, end, 'text'), (r) => r.zeroResults);
      case 'DOCS_BY_CLICK_COUNT':
        return clickCounts(await this.store.clicks(indexId, start, end));
      case 'AGG_QUERY_DOC_METRICS': {
        const texts = await this.store.rates(indexId, start, end, 'text');
        const sum = total(texts);
        return [[String(sum.searches), String(texts.length), ...rates(sum)]];
      }
      case 'TREND_QUERY_DOC_METRICS': {
        const days = new Map((await this.store.rates(indexId, start, end, 'day')).map((r) => [Number(r.key), r]));
        const out: string[][] = [];
        for (let day = start / DAY_MS; day < end / DAY_MS; day++) {
          const r = days.get(day) ?? { key: day, searches: 0, zeroResults: 0, clicked: 0, answered: 0 };
          out.push([new Date(day * DAY_MS).toISOString().slice(0, 10), String(r.searches), ...rates(r)]);
        }
        return out;
      }
    }
  }
}

/** [start, end) of an interval, in ms, at `now` (UTC days; weeks start on Sunday). */
export function intervalRange(interval: Interval, now: number): { start: number; end: number } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const d = new Date(today);
  const sunday = today - d.getUTCDay() * DAY_MS;
  const month = (back: number) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1);
  switch (interval) {
    case 'THIS_WEEK':
      return { start: sunday, end: today };
    case 'ONE_WEEK_AGO':
      return { start: sunday - 7 * DAY_MS, end: sunday };
    case 'TWO_WEEKS_AGO':
      return { start: sunday - 14 * DAY_MS, end: sunday - 7 * DAY_MS };
    case 'THIS_MONTH':
      return { start: month(0), end: today };
    case 'ONE_MONTH_AGO':
      return { start: month(1), end: month(0) };
    case 'TWO_MONTHS_AGO':
      return { start: month(2), end: month(1) };
  }
}

const order = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const byCount = (a: QueryRates, b: QueryRates) => b.searches - a.searches || order(a.key, b.key);
const fraction = (n: number, of: number) => String(of ? Math.round((n / of) * 10_000) / 10_000 : 0);

/** Texts with some searches of the kind counted, highest rate first. */
function rated(rows: QueryRates[], counted: (r: QueryRates) => number): string[][] {
  return rows
    .filter((r) => counted(r) > 0)
    .sort((a, b) => counted(b) / b.searches - counted(a) / a.searches || byCount(a, b))
    .map((r) => [String(r.key), fraction(counted(r), r.searches), String(r.searches)]);
}

function total(rows: QueryRates[]): QueryRates {
  return rows.reduce(
    (s, r) => ({ key: '', searches: s.searches + r.searches, zeroResults: s.zeroResults + r.zeroResults, clicked: s.clicked + r.clicked, answered: s.answered + r.answered }),
    { key: '', searches: 0, zeroResults: 0, clicked: 0, answered: 0 },
  );
}

/** click_through_rate, zero_click_rate, zero_result_rate, instant_answer_rate. */
function rates(r: QueryRates): string[] {
  return [fraction(r.clicked, r.searches), fraction(r.searches - r.clicked, r.searches), fraction(r.zeroResults, r.searches), fraction(r.answered, r.searches)];
}

function clickCounts(clicks: { resultId: string; results: string }[]): string[][] {
  const counts = new Map<string, number>();
  for (const c of clicks) {
    const doc = (JSON.parse(c.results) as [string, string][]).find(([id]) => id === c.resultId)?.[1];
    if (doc !== undefined) counts.set(doc, (counts.get(doc) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || order(a[0], b[0])).map(([doc, n]) => [doc, String(n)]);
}
