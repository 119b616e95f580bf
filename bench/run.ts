/**
 * `npm run bench [-- <scenario>…] [--duration s] [--warmup s] [--rounds n] [--connections n]
 *                [--kendrite-node-args='--cpu-prof --cpu-prof-dir=/tmp/prof'] [--rows 100000,1000000]
 *                [--docs 1000000]`
 *
 * Defaults: 1 s warm-up + 3 s measured per load run, 3 rounds (medians reported), 32 connections.
 * Runs every scenario in bench/scenarios (or those named), prints each one's tables — kendrite and
 * its baseline side by side — then one PASS/FAIL line per target. Missed targets are measurements:
 * the exit code is 0 unless a scenario failed to run or saw wrong responses (1), or the command line
 * was wrong (2). See bench/lib/scenario.ts for what a scenario is.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTable, renderTarget } from './lib/report.js';
import type { BenchOptions, Scenario, ScenarioContext, ScenarioResult } from './lib/scenario.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [scenario…] [--duration <s>] [--warmup <s>] [--rounds <n>] [--connections <n>] [--kendrite-node-args='<node flags>'] [--rows <n>[,<n>…]] [--docs <n>]\n`);
  process.exit(2);
}

function parseOptions(): { names: string[]; options: BenchOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        duration: { type: 'string', default: '3' },
        rounds: { type: 'string', default: '3' },
        warmup: { type: 'string', default: '1' },
        connections: { type: 'string', default: '32' },
        'kendrite-node-args': { type: 'string', default: '' },
        rows: { type: 'string' },
        docs: { type: 'string' },
      },
    });
  } catch (e) {
    usage((e as Error).message);
  }
  const seconds = (name: string, v: string) => {
    const n = Number(v);
    if (!(n >= 0)) usage(`--${name} must be a number of seconds, got '${v}'`);
    return Math.round(n * 1000);
  };
  const rounds = Number(parsed.values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds must be a positive integer, got '${parsed.values.rounds}'`);
  const connections = Number(parsed.values.connections);
  if (!Number.isInteger(connections) || connections < 1) usage(`--connections must be a positive integer, got '${parsed.values.connections}'`);
  const durationMs = seconds('duration', parsed.values.duration);
  if (durationMs === 0) usage('--duration must be more than 0');
  const kendriteNodeArgs = parsed.values['kendrite-node-args'].split(' ').filter(Boolean);
  const rows = parsed.values.rows?.split(',').map(Number);
  if (rows && !rows.every((n) => Number.isInteger(n) && n > 0)) usage(`--rows must be row counts separated by commas, got '${parsed.values.rows}'`);
  const docs = parsed.values.docs === undefined ? undefined : Number(parsed.values.docs);
  if (docs !== undefined && !(Number.isInteger(docs) && docs > 0)) usage(`--docs must be a document count, got '${parsed.values.docs}'`);
  return { names: parsed.positionals, options: { durationMs, warmupMs: seconds('warmup', parsed.values.warmup), connections, rounds, kendriteNodeArgs, rows, docs } };
}

async function loadScenarios(): Promise<Scenario[]> {
  const dir = path.join(here, 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const m = (await import(pathToFileURL(path.join(dir, file)).href)) as Partial<Scenario>;
    if (typeof m.name !== 'string' || typeof m.description !== 'string' || typeof m.run !== 'function')
      throw new Error(`bench/scenarios/${file} must export name, description and run(ctx)`);
    scenarios.push({ name: m.name, description: m.description, run: m.run });
  }
  return scenarios;
}

async function main(): Promise<number> {
  const { names, options } = parseOptions();
  const all = await loadScenarios();
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) usage(`no scenario named ${unknown.join(', ')}; there are: ${all.map((s) => s.name).join(', ')}`);
  const selected = names.length ? all.filter((s) => names.includes(s.name)) : all;

  const temps: string[] = [];
  const cleanup = () => {
    for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  const cpus = os.cpus();
  process.stdout.write(
    `kendrite bench — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ` +
      `${options.connections} connections, ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s measured per run, ` +
      `${options.rounds} rounds, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`,
  );

  const verdicts: string[] = [];
  let failed = false;
  for (const s of selected) {
    process.stdout.write(`\n== ${s.name}: ${s.description}\n`);
    const ctx: ScenarioContext = {
      options,
      repoRoot,
      tempDir(prefix) {
        const d = mkdtempSync(path.join(os.tmpdir(), `kendrite-bench-${prefix}-`));
        temps.push(d);
        return d;
      },
      log: (line) => process.stderr.write(`[${s.name}] ${line}\n`),
    };
    let result: ScenarioResult;
    try {
      result = await s.run(ctx);
    } catch (e) {
      failed = true;
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stdout.write(`ERROR: ${message}\n`);
      verdicts.push(`ERROR ${s.name}: did not complete (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
      cleanup();
      continue;
    }
    cleanup();
    for (const t of result.tables) process.stdout.write(`\n${renderTable(t)}\n`);
    for (const e of result.errors) process.stdout.write(`ERROR: ${e}\n`);
    if (result.errors.length) {
      failed = true;
      verdicts.push(`ERROR ${s.name}: ${result.errors.length} error(s), see above`);
    }
    verdicts.push(...result.targets.map((t) => renderTarget(s.name, t)));
  }
  process.stdout.write(`\n${verdicts.join('\n')}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
