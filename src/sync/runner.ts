import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';

/**
 * Runs connector-driven jobs (every type but CUSTOM) that this worker owns. Connectors plug in here
 * (see DESIGN.md, "The connector contract"); a type with no connector yet fails its job clearly.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async pickUp(owner: string): Promise<void> {
    for (const job of await this.store.syncJobs.owned(owner)) {
      if (job.data_source_type === 'CUSTOM' || this.running.has(job.execution_id)) continue;
      if (job.status === 'STOPPING') {
        await this.store.syncJobs.transition(job.execution_id, 'ABORTED', this.clock());
        continue;
      }
      if (job.status !== 'SYNCING') continue;
      await this.store.syncJobs.transition(job.execution_id, 'FAILED', this.clock(), {
        error_code: 'InvalidRequest',
        error_message: `kendrite has no connector for data source type ${job.data_source_type} in this version; use a CUSTOM data source with BatchPutDocument.`,
      });
    }
  }

  async stopAll(): Promise<void> {
    for (const c of this.running.values()) c.abort();
  }
}
