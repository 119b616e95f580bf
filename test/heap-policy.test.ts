import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { REPO_ROOT } from './support/server.js';

/**
 * A server started in a child process, then a sync's pattern of garbage: a live set, and a stream of
 * objects that outlive the young generation (they wait in a queue 40,000 long, as documents wait for
 * their fetch, extraction and batch) and then die in the old one. Prints the old space's highest size,
 * in MB. With `undo`, V8's defaults are put back after the server started: the same process, the same
 * allocations, only the policy differs.
 */
const CHILD = `
import v8 from 'node:v8';
const [dataDir, undo] = process.argv.slice(1);
const { startKendrite } = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/src/app.js'))});
const { loadConfig } = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/src/config/config.js'))});
const running = await startKendrite(loadConfig({ env: {}, overrides: { port: 0, dataDir, log: { level: 'silent' } } }));
if (undo === 'undo') v8.setFlagsFromString('--heap-growing-percent=0');
const live = [];
for (let i = 0; i < 300000; i++) live.push({ i, name: 'live ' + i, pair: [i, i + 1] });
let waiting = [];
let peak = 0;
for (let i = 0; i < 300000; i++) {
  waiting.push({ i, words: new Array(120).fill(i) });
  if (waiting.length > 40000) waiting = waiting.slice(20000);
  if (i % 1000 === 0) peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
}
process.stdout.write(String(peak / 1048576) + ' ' + live.length + '\\n');
await running.close();
`;

async function oldSpacePeakMb(undo: boolean): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kendrite-heap-policy-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD, dataDir, undo ? 'undo' : 'keep'], { encoding: 'utf8' });
    const [peak, live] = stdout.trim().split(' ').map(Number);
    assert.equal(live, 300000);
    return peak!;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('the server bounds how far the old generation grows past its live size between full collections (heapPolicy.ts)', async () => {
  const policy = await oldSpacePeakMb(false);
  const defaults = await oldSpacePeakMb(true);
  // Measured on Node 20: ~140 MB against ~230 (0.6×); on Node 22 0.57×, on Node 24 0.51×.
  assert.ok(policy < 0.8 * defaults, `old space peaked at ${policy.toFixed(1)} MB with the server's policy, ${defaults.toFixed(1)} MB with V8's defaults`);
});
