/**
 * SubmitFeedback: clicks and relevance judgements on a query's results, stored as received (they
 * do not change ranking). A ResultId names its query (`<QueryId>-…`, as Query issues them), so
 * feedback naming a result of another query is refused.
 */
import type { Clock } from './clock.js';
import type { Scope } from './arn.js';
import { invalid } from './errors.js';
import type { Indices } from './indices.js';
import type { FeedbackStore, NewFeedback } from '../store/feedback.js';

export interface FeedbackInput {
  IndexId: string;
  QueryId: string;
  ClickFeedbackItems?: { ResultId: string; ClickTime: Date }[];
  RelevanceFeedbackItems?: { ResultId: string; RelevanceValue: string }[];
}

export class Feedback {
  constructor(
    private readonly store: FeedbackStore,
    private readonly indices: Indices,
    private readonly clock: Clock,
  ) {}

  async submit(scope: Scope, input: FeedbackInput): Promise<void> {
    await this.indices.get(scope, input.IndexId);
    const now = this.clock();
    const base = { index_id: input.IndexId, query_id: input.QueryId, received_at: now };
    const rows: NewFeedback[] = [
      ...(input.ClickFeedbackItems ?? []).map((c) => ({ ...base, result_id: c.ResultId, kind: 'CLICK', relevance: null, click_time: c.ClickTime.getTime() })),
      ...(input.RelevanceFeedbackItems ?? []).map((r) => ({ ...base, result_id: r.ResultId, kind: 'RELEVANCE', relevance: r.RelevanceValue, click_time: null })),
    ];
    const foreign = rows.find((r) => !r.result_id.startsWith(`${input.QueryId}-`));
    if (foreign) throw invalid(`ResultId ${foreign.result_id} is not a result of query ${input.QueryId}.`);
    await this.store.insert(rows);
  }
}
