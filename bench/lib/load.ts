import { performance } from 'node:perf_hooks';
import { Connection, type Response } from './http1.js';
import { cpuTimeMs } from './processes.js';
import { percentile } from './stats.js';

export interface LoadOptions {
  host: string;
  port: number;
  /** The complete request, sent byte for byte on every call. */
  request: Buffer;
  /** Returns what is wrong with a response, or undefined when it is right. */
  check(response: Response): string | undefined;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** The server's process, whose CPU time over the window is divided among the requests (Linux). */
  serverPid?: number;
}

export interface LoadResult {
  /** Responses completed inside the measured window. */
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * Server CPU time (user + system) per request over the window, in µs: what each request costs the
   * server whatever else runs on the machine. NaN where /proc is not available.
   */
  serverCpuUs: number;
  /** Wrong or failed responses, warm-up included. */
  errors: number;
  firstError?: string;
}

/**
 * Closed-loop load: `connections` keep-alive clients, each sending the next request as soon as the
 * previous response is in. Everything completed inside the window [warm-up end, + duration] counts,
 * its latency taken from write to the last byte of the response.
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const connections = Array.from({ length: o.connections }, () => new Connection(o.host, o.port));
  await Promise.all(connections.map((c) => c.connected()));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const noteError = (what: string) => {
    errors++;
    firstError ??= what;
  };
  const windowStart = performance.now() + o.warmupMs;
  const windowEnd = windowStart + o.durationMs;
  // Taken at the first completion past each edge of the window, so that both always happen.
  let cpuAtStart: number | undefined;
  let cpuAtEnd: number | undefined;
  const cpu = () => (o.serverPid === undefined ? NaN : cpuTimeMs(o.serverPid));

  const client = async (c: Connection) => {
    for (;;) {
      const sent = performance.now();
      if (sent >= windowEnd) return;
      let response: Response;
      try {
        response = await c.send(o.request);
      } catch (e) {
        noteError((e as Error).message);
        return;
      }
      const done = performance.now();
      if (cpuAtStart === undefined && done >= windowStart) cpuAtStart = cpu();
      if (cpuAtEnd === undefined && done >= windowEnd) cpuAtEnd = cpu();
      const wrong = o.check(response);
      if (wrong !== undefined) noteError(wrong);
      else if (done >= windowStart && done < windowEnd) latencies.push(done - sent);
    }
  };
  try {
    await Promise.all(connections.map(client));
  } finally {
    for (const c of connections) c.close();
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    requestsPerSecond: sorted.length / (o.durationMs / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
    serverCpuUs: (((cpuAtEnd ?? NaN) - (cpuAtStart ?? NaN)) * 1000) / sorted.length,
    errors,
    firstError,
  };
}
