// The metrics of a kendrite process in Prometheus's text format (prom-client), on a registry of its
// own (never prom-client's global one): made in app.ts and handed to whoever counts.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { SyncJobRow } from '../store/syncJobs.js';
import { RequestMetrics } from './requestMetrics.js';

/** What the gauges read at each scrape (every process's jobs and documents, as the store holds them). */
export interface MetricSources {
  activeJobs(): Promise<{ data_source_type: string; status: string; count: number }[]>;
  indexStatistics(): Promise<{ index_id: string; count: number; bytes: number }[]>;
  /** undefined when healthy, else why not. */
  storeProblem(): Promise<string | undefined>;
  workerProblem(): string | undefined;
}

/** How often the event loop lag metrics (kendrite_process_nodejs_eventloop_lag_*) sample the loop's delay. */
export const EVENT_LOOP_SAMPLE_MS = 100;

const DOCUMENT_ACTIONS = ['added', 'modified', 'deleted', 'failed', 'scanned'] as const;

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;
  private readonly syncJobs: Counter<'data_source_type' | 'status'>;
  private readonly documents: Counter<'data_source_type' | 'action'>;

  constructor(version: string, sources: MetricSources) {
    const registers = [this.registry];
    // The event loop's lag is sampled by a timer every EVENT_LOOP_SAMPLE_MS (prom-client's default, 10 ms,
    // woke an idle server's request thread 100 times a second).
    collectDefaultMetrics({ register: this.registry, prefix: 'kendrite_process_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    new Gauge({ name: 'kendrite_build_info', help: 'The running kendrite version (always 1).', labelNames: ['version'], registers }).set({ version }, 1);
    this.requests = new RequestMetrics(this.registry);
    this.syncJobs = new Counter({ name: 'kendrite_sync_jobs_total', help: 'Sync jobs this process saw end, by data source type and final status.', labelNames: ['data_source_type', 'status'], registers });
    this.documents = new Counter({
      name: 'kendrite_sync_documents_total',
      help: 'Documents of the sync jobs this process saw end, by data source type and action (added, modified, deleted, failed, scanned).',
      labelNames: ['data_source_type', 'action'],
      registers,
    });
    new Gauge({
      name: 'kendrite_sync_jobs_running',
      help: 'Sync jobs not yet ended (of every process sharing the store), by data source type and status.',
      labelNames: ['data_source_type', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const r of await sources.activeJobs()) this.set({ data_source_type: r.data_source_type, status: r.status }, r.count);
      },
    });
    const perIndex = sources.indexStatistics;
    let statistics: ReturnType<typeof perIndex> | undefined;
    // The two per-index gauges read one statement per scrape.
    const indexStatistics = () => (statistics ??= perIndex().finally(() => setImmediate(() => (statistics = undefined))));
    new Gauge({
      name: 'kendrite_index_documents',
      help: 'Searchable documents per index.',
      labelNames: ['index_id'],
      registers,
      async collect() {
        this.reset();
        for (const r of await indexStatistics()) this.set({ index_id: r.index_id }, r.count);
      },
    });
    new Gauge({
      name: 'kendrite_index_text_bytes',
      help: 'Bytes of extracted text per index (what DescribeIndex reports as IndexedTextBytes).',
      labelNames: ['index_id'],
      registers,
      async collect() {
        this.reset();
        for (const r of await indexStatistics()) this.set({ index_id: r.index_id }, r.bytes);
      },
    });
    new Gauge({
      name: 'kendrite_store_up',
      help: '1 when the store answers a statement in time (as /health checks it), else 0.',
      registers,
      async collect() {
        this.set((await sources.storeProblem()) === undefined ? 1 : 0);
      },
    });
    new Gauge({
      name: 'kendrite_worker_up',
      help: "1 when this process's background worker runs and renews its job leases, else 0.",
      registers,
      collect() {
        this.set(sources.workerProblem() === undefined ? 1 : 0);
      },
    });
  }

  /** One API request answered. */
  request(operation: string, status: number, seconds: number): void {
    this.requests.record(operation, status, seconds);
  }

  /** A job reached its final status: it and its documents are counted. */
  jobEnded(job: Readonly<SyncJobRow>): void {
    const type = job.data_source_type;
    this.syncJobs.inc({ data_source_type: type, status: job.status });
    const counts = { added: job.documents_added, modified: job.documents_modified, deleted: job.documents_deleted, failed: job.documents_failed, scanned: job.documents_scanned };
    for (const action of DOCUMENT_ACTIONS) this.documents.inc({ data_source_type: type, action }, counts[action]);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
