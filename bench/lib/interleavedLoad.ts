import { Connection, type Response } from './http1.js';
import { LoadWindow } from './loadWindow.js';
import { cpuTimeMs } from './processes.js';
import { RequestTally, type Latencies } from '../scenarios/query.js';

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
  const cpuBefore = sides.map((s) => cpuTimeMs(s.pid));
  const now = performance.now();
  const tallies = sides.map((s) => new RequestTally(new LoadWindow(o, now), (q, r) => s.check(q, r)));
  const one = (n: 0 | 1, i: number): Promise<boolean> => tallies[n]!.send(connections[n]!, sides[n].requests, i % sides[n].requests.length);
  try {
    for (let i = 0; tallies[0]!.window.open(); i++) {
      const first = (i % 2) as 0 | 1;
      if (!(await one(first, i)) || !(await one((1 - first) as 0 | 1, i))) break;
    }
  } finally {
    for (const c of connections) c.close();
  }
  const result = (n: 0 | 1): Latencies => ({
    ...tallies[n]!.summary(),
    cpuMsPerQuery: (cpuTimeMs(sides[n].pid) - cpuBefore[n]!) / tallies[n]!.count,
  });
  return [result(0), result(1)];
}
