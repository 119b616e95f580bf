import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';
import type { Log } from '../observe/log.js';

/**
 * Renews this worker's job leases (S-JOB-7) on a timer of its own, through the store's lease
 * connection: a flood of BatchPutDocument once kept the worker's loop indexing and every pooled
 * connection busy past the lease time, and the other process failed a live folder sync as stopped.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private lastRenewal: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly heartbeatMs: number,
    private readonly log: Log,
  ) {
    this.lastRenewal = clock();
  }

  start(): void {
    void this.renew();
    this.timer = setInterval(() => void this.renew(), this.heartbeatMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Why this process's leases are at risk, if they are: two renewals in a row did not happen. */
  problem(): string | undefined {
    const age = this.clock() - this.lastRenewal;
    return age > 2 * this.heartbeatMs ? `job leases last renewed ${age} ms ago (every ${Math.round(this.heartbeatMs)} ms expected; they expire after ${this.leaseMs} ms)` : undefined;
  }

  private async renew(): Promise<void> {
    if (this.renewing) return; // one at a time: a slow renewal is not stacked on
    this.renewing = true;
    const now = this.clock();
    try {
      await this.store.leases.renewLeases(this.owner, now + this.leaseMs);
      this.lastRenewal = now;
    } catch (e) {
      this.log.warn({ error: (e as Error).message }, 'job lease renewal failed');
    } finally {
      this.renewing = false;
    }
  }
}
