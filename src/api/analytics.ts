import { scopeOf, type Handlers } from './context.js';

export const analyticsHandlers: Handlers = {
  async GetSnapshots(input, ctx, s) {
    return (await s.analytics.snapshots(scopeOf(ctx), input as never)) as never;
  },
};
