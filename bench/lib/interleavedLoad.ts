import { Connection, type Response } from './http1.js';
import { cpuTimeMs } from './processes.js';
import { summary, type Latencies } from '../scenarios/query.js';

/** One of the servers an interleaved load compares: where it listens, its process, what to send it. */
export interface LoadSide {
  host: string;
  port: number;
  pid: number;
  requests: Buffer[];
  /** Why an answer is wrong, or undefined. */
  check(i: number, r: Response): string | undefined;
}

/**
 * One client, one connection to each server, sending request i to one and then to the other (the
 * order swapped every request), so that whatever else the machine is doing at a moment (the other
 * helpers' work, a timer of the load generator's) falls on both servers' latencies alike, rather
 * than on whichever one was being measured for those seconds. Each server is idle while the other
 * answers, as under a one-client load on one server alone. With each server's CPU time (every
 * thread, from /proc) per request answered.
 */
export async function interleavedLoad(sides: [LoadSide, LoadSide], o: { warmupMs: number; durationMs: number }): Promise<[Latencies, Latencies]> {
  const connections = sides.map((s) => new Connection(s.host, s.port));
  await Promise.all(connections.map((c) => c.connected()));
  const latencies: [number[], number[]] = [[], []];
  const answered = [0, 0];
  const errors = [0, 0];
  const firstError: (string | undefined)[] = [undefined, undefined];
  const cpuBefore = sides.map((s) => cpuTimeMs(s.pid));
  const start = performance.now() + o.warmupMs;
  const end = start + o.durationMs;
  const one = async (n: 0 | 1, i: number): Promise<boolean> => {
    const side = sides[n];
    const q = i % side.requests.length;
    const sent = performance.now();
    try {
      const r = await connections[n]!.send(side.requests[q]!);
      const done = performance.now();
      const wrong = side.check(q, r);
      answered[n]!++;
      if (wrong) {
        errors[n]!++;
        firstError[n] ??= wrong;
      } else if (done >= start && done < end) latencies[n].push(done - sent);
      return true;
    } catch (e) {
      errors[n]!++;
      firstError[n] ??= (e as Error).message;
      return false;
    }
  };
  try {
    for (let i = 0; performance.now() < end; i++) {
      const first = (i % 2) as 0 | 1;
      if (!(await one(first, i)) || !(await one((1 - first) as 0 | 1, i))) break;
    }
  } finally {
    for (const c of connections) c.close();
  }
  const result = (n: 0 | 1): Latencies => ({
    ...summary(latencies[n], o.durationMs, answered[n]!, errors[n]!, firstError[n]),
    cpuMsPerQuery: (cpuTimeMs(sides[n].pid) - cpuBefore[n]!) / answered[n]!,
  });
  return [result(0), result(1)];
}
