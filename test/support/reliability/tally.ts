import { readFileSync } from 'node:fs';

/**
 * What one area of the reliability suite tried and what held: the fast tests assert `failures` is
 * empty and `tried` is what they asked for; `npm run bench -- reliability` prints one row per area.
 */
export interface AreaResult {
  area: string;
  backend: string;
  tried: number;
  held: number;
  /** One line per case that did not hold, saying what happened. */
  failures: string[];
  /** Figures worth printing beside the counts (peak RSS, slowest answer…). */
  notes: string[];
}

export class Tally {
  readonly result: AreaResult;
  constructor(area: string, backend: string) {
    this.result = { area, backend, tried: 0, held: 0, failures: [], notes: [] };
  }

  /** One case: it held when `problem` is undefined. */
  record(problem: string | undefined, what: string): void {
    this.result.tried++;
    if (problem === undefined) this.result.held++;
    else if (this.result.failures.length < 50) this.result.failures.push(`${what}: ${problem}`);
    else this.result.failures.length === 50 && this.result.failures.push('… (more failures left out)');
  }

  /** Runs one case; a thrown error is its failure. */
  async attempt(what: string, fn: () => Promise<string | undefined>): Promise<void> {
    let problem: string | undefined;
    try {
      problem = await fn();
    } catch (e) {
      problem = `threw ${(e as Error).stack ?? String(e)}`.slice(0, 600);
    }
    this.record(problem, what);
  }

  note(line: string): void {
    this.result.notes.push(line);
  }
}

/** A document's status once its current version is searchable: INDEXED, or UPDATED when it replaced an earlier one. */
export function isIndexed(status: string | undefined): boolean {
  return status === 'INDEXED' || status === 'UPDATED';
}

/** A seeded PRNG (mulberry32): the same seed gives the same cases on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** The peak and current resident memory of a process from /proc, in bytes. */
export function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}
