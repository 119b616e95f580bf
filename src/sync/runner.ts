import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';
import type { BatchWriter } from './batchWriter.js';
import { JobRun } from './jobRun.js';
import { errorField, type Log } from '../observe/log.js';

/**
 * Runs the connector-driven jobs (every type but CUSTOM) that this worker holds the lease of. Each
 * runs in the background, so the worker's loop never waits for one.
 */
export class JobRunner {
  private readonly running = new Map<string, { run: JobRun; done: Promise<void> }>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly writer: BatchWriter,
    private readonly config: Config,
    private readonly log: Log,
  ) {}

  /** Called on every tick of the worker: starts new jobs, and passes a stop on to a running one at once. */
  async pickUp(owner: string): Promise<void> {
    for (const job of await this.store.syncJobs.owned(owner)) {
      if (job.data_source_type === 'CUSTOM' || this.closed) continue;
      const running = this.running.get(job.execution_id);
      if (running) {
        if (job.status === 'STOPPING') running.run.stop();
        continue;
      }
      if (job.status === 'STOPPING') {
        await this.store.syncJobs.transition(job.execution_id, 'ABORTED', this.clock());
        continue;
      }
      if (job.status === 'SYNCING_INDEXING') {
        // Its run ended without ending it: the store failed under the run's last writes (a PostgreSQL
        // restart). This process is alive, so no lease runs out and no reaper would end it: end it here.
        await this.store.syncJobs.transition(job.execution_id, 'FAILED', this.clock(), {
          error_code: 'InternalError',
          error_message: 'The sync was interrupted while it finished: kendrite could not reach its store. Documents indexed before the interruption stay; start a new sync to bring the index up to date.',
        });
        continue;
      }
      if (job.status !== 'SYNCING') continue;
      const run = new JobRun(job, this.store, this.clock, this.writer, this.config, this.log);
      const done = run
        .execute()
        .catch((e: unknown) => this.log.error({ executionId: job.execution_id, error: errorField(e) }, 'sync job run failed'))
        .finally(() => this.running.delete(job.execution_id));
      this.running.set(job.execution_id, { run, done });
    }
  }

  /** At shutdown: every running job stops fetching and ends (FAILED, saying why) before the store closes. */
  async stopAll(): Promise<void> {
    this.closed = true;
    const all = [...this.running.values()];
    for (const r of all) r.run.shutdown();
    await Promise.allSettled(all.map((r) => r.done));
  }
}
