/**
 * kendrite_requests_total and kendrite_request_duration_seconds: what prom-client's Counter and
 * Histogram would show for them (the same text, test/observability.test.ts), counted in plain numbers
 * held per operation. prom-client hashes a request's labels into a string and checks them on every
 * inc and observe, a request's largest cost after its log line; here a request finds its operation's
 * counts in a map and adds to them, and the labels are written out at a scrape.
 */
import { Counter, type Registry } from 'prom-client';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface OperationCounts {
  /** Requests answered, by HTTP status. */
  byStatus: Map<number, number>;
  /** Requests per duration bucket (not cumulative; the last is beyond the largest bound). */
  buckets: Float64Array;
  seconds: number;
  count: number;
}

export class RequestMetrics {
  private readonly operations = new Map<string, OperationCounts>();

  constructor(registry: Registry) {
    const operations = this.operations;
    new Counter({
      name: 'kendrite_requests_total',
      help: 'API requests answered, by operation and HTTP status.',
      labelNames: ['operation', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [operation, c] of operations) for (const [status, n] of c.byStatus) this.inc({ operation, status: String(status) }, n);
      },
    });
    registry.registerMetric(new DurationHistogram(operations) as never);
  }

  /** One API request answered. */
  record(operation: string, status: number, seconds: number): void {
    let c = this.operations.get(operation);
    if (!c) this.operations.set(operation, (c = { byStatus: new Map(), buckets: new Float64Array(DURATION_BUCKETS.length + 1), seconds: 0, count: 0 }));
    c.byStatus.set(status, (c.byStatus.get(status) ?? 0) + 1);
    let b = 0;
    while (b < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[b]!) b++;
    c.buckets[b]!++;
    c.seconds += seconds;
    c.count++;
  }
}

/** The histogram's side of a registry (what it asks of a metric: its name, and its values at a scrape), in prom-client's shape. */
class DurationHistogram {
  readonly name = 'kendrite_request_duration_seconds';
  readonly help = 'Time from a request read to its answer written, by operation.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly operations: Map<string, OperationCounts>) {}

  get() {
    const values: { labels: Record<string, string | number>; sharedLabels: { operation: string }; value: number; metricName: string }[] = [];
    for (const [operation, c] of this.operations) {
      const sharedLabels = { operation };
      let cumulative = 0;
      for (let b = 0; b < DURATION_BUCKETS.length; b++) {
        cumulative += c.buckets[b]!;
        values.push({ labels: { le: DURATION_BUCKETS[b]! }, sharedLabels, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels, value: c.count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels, value: c.seconds, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels, value: c.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.operations.clear();
  }
}
