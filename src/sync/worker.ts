import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { parseSchedule } from '../domain/cron.js';
import type { SyncJobs, Worker } from '../domain/syncJobs.js';
import { DomainError } from '../domain/errors.js';
import type { Store } from '../store/store.js';
import type { DocumentIndexer } from './documentIndexer.js';
import { finishIndexedCustomJobs } from './jobEnd.js';
import { LeaseKeeper } from './leaseKeeper.js';
import type { LifecycleWorker } from './lifecycleWorker.js';
import { reapJobs } from './reaper.js';
import { WorkDue, type Due } from './workDue.js';
import type { JobRunner } from './runner.js';
import { errorField, type Log } from '../observe/log.js';

/**
 * Queued documents are applied for at most this long per turn of the loop: a flood of puts kept
 * the loop applying them, and no job was picked up, no schedule fired, no lease reaped meanwhile.
 */
const DRAIN_TURN_MS = 500;

/** Jobs of a worker silent this long are reaped long before; its heartbeat row is of no more use. */
const FORGET_SILENT_MS = 3_600_000;

/**
 * How often heartbeats of long-silent workers are deleted. Once a second (with each reap) made it a
 * write on every idle second; nothing reads a row that old, so ten minutes late costs nothing.
 */
const FORGET_EVERY_MS = 600_000;

/**
 * On SQLite, the longest wait after a turn that found nothing due. Only this process can use a SQLite
 * data directory (store/dataDirLock.ts), and whatever in it queues documents, starts or stops a job or
 * changes an index or data source wakes the loop at once (`wake`): an idle turn there looks only for
 * work that falls due with time — a transition or a schedule, whose time the idle check reads
 * (WorkDue.soonest: the loop looks again then, if sooner) — and reaps and applies retention on their
 * own clocks (every second, every minute). Ten idle reads a second on the request thread were a
 * ~100 ms rhythm in GetQuerySuggestions' tail (#12). On PostgreSQL another process may queue work:
 * the loop keeps looking every `sync.pollMs`.
 */
const SQLITE_IDLE_POLL_MS = 1000;

/**
 * The background half of a kendrite process: holds leases on its jobs, applies queued documents,
 * runs connector jobs, finishes CUSTOM jobs, completes status changes, fires schedules, reaps jobs
 * of dead workers and applies history retention. One loop; `wake` runs it at once.
 */
export class BackgroundWorker implements Worker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly leaseMs: number;
  readonly leases: LeaseKeeper;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;
  private lastReap = 0;
  private lastRetention = 0;
  private lastForget = 0;
  private syncJobs: SyncJobs | undefined;
  private readonly workDue: WorkDue;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly indexer: DocumentIndexer,
    private readonly lifecycle: LifecycleWorker,
    private readonly runner: JobRunner,
    private readonly log: Log,
  ) {
    this.leaseMs = config.sync.leaseSeconds * 1000;
    // A lease must be renewed well before it runs out, whatever the two settings say.
    const heartbeatMs = Math.min(config.sync.heartbeatMs, this.leaseMs / 3);
    this.workDue = new WorkDue(store, this.id);
    this.leases = new LeaseKeeper(store, clock, this.id, this.leaseMs, heartbeatMs, log);
  }

  /** Starts the loop. On SQLite no other process can own a job, so jobs left active are reaped now. */
  async start(syncJobs: SyncJobs): Promise<void> {
    this.syncJobs = syncJobs;
    this.leases.start();
    if (this.store.conn.dialect === 'sqlite') {
      const reaped = await reapJobs(this.store, this.clock(), { allButOwner: this.id });
      if (reaped) this.log.warn({ reaped }, `failed ${reaped} sync job(s) left active by a previous run`);
    }
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.runner.stopAll();
    while (this.running) await new Promise((r) => setTimeout(r, 10));
    this.leases.stop();
  }

  /** Why the loop cannot do its work, if it cannot. */
  problem(): string | undefined {
    return this.stopped ? 'the background worker is stopped' : this.leases.problem();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    this.again = false;
    let idle = false;
    try {
      idle = await this.work();
    } catch (e) {
      this.log.error({ error: errorField(e) }, 'background work failed');
    } finally {
      this.running = false;
    }
    if (!this.stopped) this.schedule(this.again ? 0 : this.nextTurnMs(idle));
  }

  /**
   * The wait before the next turn: `sync.pollMs`; after an idle turn on SQLite, until the soonest
   * transition or schedule falls due, SQLITE_IDLE_POLL_MS at most (never less than `sync.pollMs`).
   */
  private nextTurnMs(idle: boolean): number {
    const pollMs = this.config.sync.pollMs;
    if (!idle || this.store.conn.dialect !== 'sqlite') return pollMs;
    const soonest = this.workDue.soonest;
    const untilDue = soonest === undefined ? Infinity : soonest - this.clock();
    return Math.max(pollMs, Math.min(SQLITE_IDLE_POLL_MS, untilDue));
  }

  /** One turn; true when nothing was due (the idle turn). */
  private async work(): Promise<boolean> {
    const now = this.clock();
    // An idle turn (the usual one) costs one read instead of the eight statements of the steps.
    const due = await this.workDue.check(now);
    if (due) await this.act(due);
    if (now - this.lastReap >= 1000) {
      this.lastReap = now;
      // Never this process's own jobs: it is alive (it is reaping), and its runner ends them. A main
      // thread stalled past the lease (a loaded machine, a long SQLite write) once failed its own
      // live sync as "the process running it stopped".
      const reaped = await reapJobs(this.store, now, { liveOwner: this.id });
      if (reaped) this.log.warn({ reaped }, `failed ${reaped} sync job(s) whose worker lease expired`);
    }
    if (now - this.lastForget >= FORGET_EVERY_MS) {
      this.lastForget = now;
      await this.store.syncJobs.forgetWorkersSilentSince(now - FORGET_SILENT_MS);
    }
    const retention = this.config.retention;
    if (retention && now - this.lastRetention >= 60_000) {
      this.lastRetention = now;
      await this.store.syncJobs.applyRetention(now - retention.days * 86_400_000, retention.keepLatest);
    }
    return !due;
  }

  /** The steps that have something to act on (WorkDue), in the loop's order. */
  private async act(due: Due): Promise<void> {
    if (due.transitions) await this.lifecycle.sweep();
    if (due.queued) {
      const drainUntil = this.clock() + DRAIN_TURN_MS;
      while ((await this.indexer.drain(this.id)) > 0) {
        if (this.stopped) return;
        if (this.clock() >= drainUntil) {
          this.again = true; // more are queued: the next turn starts at once
          break;
        }
      }
    }
    // A drain can finish a CUSTOM job's last documents: it is ended in this turn, as before.
    if (due.jobs || due.queued) {
      await finishIndexedCustomJobs(this.store, this.clock());
      await this.runner.pickUp(this.id);
    }
    if (due.schedules) await this.fireSchedules();
  }

  /** D-6: a due schedule starts a sync as StartDataSourceSyncJob would; a tick that finds one running is skipped. */
  private async fireSchedules(): Promise<void> {
    const now = this.clock();
    for (const ds of await this.store.dataSources.dueSchedules(now)) {
      const next = ds.schedule ? parseSchedule(ds.schedule).next(new Date(now)) : null;
      if (!(await this.store.dataSources.update(ds.id, { next_run_at: next ? next.getTime() : null }, ['ACTIVE']))) continue;
      try {
        const executionId = await this.syncJobs!.start({ accountId: ds.account_id, region: ds.region }, ds.index_id, ds.id);
        this.log.info({ indexId: ds.index_id, dataSourceId: ds.id, executionId, schedule: ds.schedule }, 'schedule fired: sync started');
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.log.info({ indexId: ds.index_id, dataSourceId: ds.id, schedule: ds.schedule, reason: e.message }, 'schedule skipped');
      }
    }
  }
}
