import { Feedback } from '../domain/feedback.js';
import { systemClock } from '../domain/clock.js';
import { QueryService } from '../domain/query.js';
import { searchEngineFor } from '../search/index.js';
import { FeedbackStore } from '../store/feedback.js';
import { scopeOf, type Handlers, type Services } from './context.js';

/**
 * The search services of one running server, made on first use from its store (one engine per
 * store: on SQLite it holds its own read-only connection).
 */
const perServer = new WeakMap<Services, { query: QueryService; feedback: Feedback }>();

function search(s: Services) {
  let x = perServer.get(s);
  if (!x) {
    x = { query: new QueryService(searchEngineFor(s.store.conn), s.indices), feedback: new Feedback(new FeedbackStore(s.store.db), s.indices, systemClock) };
    perServer.set(s, x);
  }
  return x;
}

export const queryHandlers: Handlers = {
  async Query(input, ctx, s) {
    return (await search(s).query.query(scopeOf(ctx), input as never)) as never;
  },

  async Retrieve(input, ctx, s) {
    return (await search(s).query.retrieve(scopeOf(ctx), input as never)) as never;
  },

  async SubmitFeedback(input, ctx, s) {
    await search(s).feedback.submit(scopeOf(ctx), input);
    return {};
  },
};
