/**
 * The contract between bench/run.ts and a scenario.
 *
 * A scenario is a module bench/scenarios/<name>.ts that exports
 *
 *   export const name = '<name>';            // what `npm run bench -- <name>` selects; the file's name
 *   export const description = '…';          // one line, printed above its results
 *   export async function run(ctx: ScenarioContext): Promise<ScenarioResult>;
 *
 * run.ts finds every compiled bench/scenarios/*.js itself, runs them in file-name order (or only those
 * named on the command line), prints each result's tables and one PASS/FAIL line per target.
 *
 * A missed target is a measurement, not a failure of the run: the exit code stays 0. A scenario
 * signals a real error — wrong or failed responses, a server that would not start — by throwing, or
 * by returning a non-empty `errors`; either makes the run exit non-zero.
 */

export interface BenchOptions {
  /** Measured time of one load run, after the warm-up. */
  durationMs: number;
  /** Load before measuring (JIT, caches, connections), discarded. */
  warmupMs: number;
  /** Concurrent keep-alive clients, one request in flight each. */
  connections: number;
  /** Times each load run is repeated; scenarios report the median (a noisy moment hits one round). */
  rounds: number;
  /** Extra node flags for the kendrite processes a scenario starts (profiling: --cpu-prof …). */
  kendriteNodeArgs: string[];
  /** --rows: table sizes for the databaseSync scenario (its own defaults when absent). */
  rows?: number[];
  /** --docs: the corpus size of the scale scenario (its own default when absent). */
  docs?: number;
}

export interface ScenarioContext {
  options: BenchOptions;
  /** The repository root (kendrite's CLI is at dist/src/cli/main.js below it). */
  repoRoot: string;
  /** A fresh temporary directory, removed when the run ends. */
  tempDir(prefix: string): string;
  /** Progress for the operator (stderr); results go in the ScenarioResult. */
  log(line: string): void;
}

export type Cell = string | number;

/** Printed as an aligned table; numbers are right-aligned. */
export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Lines printed under the table (what a column means, how it was measured). */
  notes?: string[];
}

export interface Target {
  /** What is promised, e.g. "throughput ≥ 50 % of baseline". */
  name: string;
  pass: boolean;
  /** The measured figures behind the verdict, e.g. the worst ratio and where it occurred. */
  detail: string;
}

export interface ScenarioResult {
  tables: Table[];
  targets: Target[];
  /** Requests that failed or came back wrong, and similar faults: the run exits non-zero. */
  errors: string[];
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
