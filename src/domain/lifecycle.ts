/**
 * The hand-off between a request that starts a status change (CREATING, UPDATING, DELETING) and the
 * background worker that completes it. Requests only record when a transition is due; `wake` asks
 * the worker to look now rather than at its next tick.
 */
export class Lifecycle {
  private waker: () => void = () => {};
  constructor(readonly delayMs: number) {}

  onWake(fn: () => void): void {
    this.waker = fn;
  }

  wake(): void {
    this.waker();
  }
}
