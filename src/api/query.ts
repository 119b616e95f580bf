import { scopeOf, type Handlers } from './context.js';

export const queryHandlers: Handlers = {
  async Query(input, ctx, s) {
    return (await s.query.query(scopeOf(ctx), input as never, ctx.signal)) as never;
  },

  async Retrieve(input, ctx, s) {
    return (await s.query.retrieve(scopeOf(ctx), input as never, ctx.signal)) as never;
  },

  async SubmitFeedback(input, ctx, s) {
    await s.feedback.submit(scopeOf(ctx), input);
    return {};
  },
};
