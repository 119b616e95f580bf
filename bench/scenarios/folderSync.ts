/**
 * A FILESYSTEM data source over a local folder of generated text, HTML and Markdown files (1–20 KB),
 * synced by a kendrite server process: the full sync, a resync with no change and a resync with 1 %
 * of the files changed, at 10,000 and at 100,000 files. Baselines, in the same run on the same files:
 * a plain script that reads every file and inserts its text into the same SQLite full-text index
 * schema (kendrite's migrations: documents + FTS5), and a plain directory walk
 * with stat. Peak RSS is the server's VmHWM.
 *
 * KENDRITE_BENCH_FOLDER_FILES=2000,20000 runs other sizes (the last one is compared with the first for RSS).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KendraClient } from '@aws-sdk/client-kendra';
import { rng, words } from '../lib/corpusText.js';
import { createFolderSource, createIndex } from '../lib/kendraResources.js';
import { measuredSync, type Rate } from '../lib/measuredSync.js';
import { memoryMb, startKendrite } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { fmt } from '../lib/stats.js';
import { Store } from '../../src/store/store.js';

export const name = 'folderSync';
export const description =
  'FILESYSTEM sync of a folder of text/HTML/Markdown files (1–20 KB) at 10,000 and 100,000 files: full sync vs reading + inserting into the same FTS schema directly; no-change resync vs a plain walk with stat; 1 % changed resync; peak RSS';

const SIZES = (process.env.KENDRITE_BENCH_FOLDER_FILES ?? '10000,100000').split(',').map(Number);
const PER_DIR = 1000;
const FULL_TARGET = 0.5;
const RESYNC_TARGET = 0.5;
const RSS_LIMIT_MB = 300;
/** Peak RSS at the largest size may exceed the smallest's by this much and still count as "no more" (allocator noise). */
const RSS_NOISE = 0.1;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHFOLDER', secretAccessKey: 'bench-folder-secret' };


interface SizeResult {
  files: number;
  bytes: number;
  baselineFull: Rate;
  full: Rate;
  walk: Rate;
  resync: Rate;
  changedSeconds: number;
  changedDocs: number;
  peakRssMb: number;
  /** VmRSS sampled every 50 ms during the syncs: where the process usually is, next to its highest spike. */
  medianRssMb: number;
  /** Highest VmRSS sample during each kind of sync: where a spike happens. */
  phaseRssMb: { full: number; resync: number; changed: number };
}

const RESYNC_ROUNDS = 3;

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const errors: string[] = [];
  const results: SizeResult[] = [];
  for (const files of SIZES) results.push(await measure(ctx, files, errors));
  const ratio = (a: Rate, b: Rate) => a.perSec / b.perSec;

  const tables: Table[] = [
    {
      title: 'Full sync: kendrite vs reading every file and inserting its text into the same FTS schema',
      columns: ['files', 'MB', 'kendrite docs/s', 'baseline docs/s', 'ratio', 'kendrite CPU µs/doc', 'baseline CPU µs/doc'],
      rows: results.map((r) => [r.files, (r.bytes / 1048576).toFixed(0), fmt.rps(r.full.perSec), fmt.rps(r.baselineFull.perSec), fmt.ratio(ratio(r.full, r.baselineFull)), fmt.rps(r.full.cpuUs), fmt.rps(r.baselineFull.cpuUs)]),
      notes: [
        'kendrite: files / (job EndTime − StartTime) as ListDataSourceSyncJobs reports it: extraction, change and deletion detection, report, metrics; CPU of the server process.',
        "baseline: one SQLite transaction per 1,000 files, raw text into documents (FTS5 by the schema's triggers); CPU of the bench process.",
      ],
    },
    {
      title: `Resyncs: no change vs a plain directory walk with stat (best of ${RESYNC_ROUNDS}, interleaved); 1 % of the files changed`,
      columns: ['files', 'no-change files/s', 'walk files/s', 'ratio', 'no-change CPU µs/file', 'walk CPU µs/file', '1 % changed: s', 'modified'],
      rows: results.map((r) => [r.files, fmt.rps(r.resync.perSec), fmt.rps(r.walk.perSec), fmt.ratio(ratio(r.resync, r.walk)), r.resync.cpuUs.toFixed(1), r.walk.cpuUs.toFixed(1), r.changedSeconds.toFixed(2), r.changedDocs]),
      notes: ['walk: readdirSync + statSync of every file, in the bench process. Rounds alternate (resync, walk) so both see the same machine.'],
    },
    {
      title: 'Peak RSS of the kendrite server process (VmHWM), over its start, all the syncs and the API calls',
      columns: ['files', 'peak RSS MB', 'median RSS MB during syncs', 'highest sample: full sync', 'no-change resyncs', '1 % changed'],
      rows: results.map((r) => [r.files, r.peakRssMb.toFixed(1), r.medianRssMb.toFixed(1), r.phaseRssMb.full.toFixed(1), r.phaseRssMb.resync.toFixed(1), r.phaseRssMb.changed.toFixed(1)]),
    },
  ];
  const peak = results.reduce((w, r) => (r.peakRssMb > w.peakRssMb ? r : w));
  const small = results[0]!;
  const large = results[results.length - 1]!;
  // The issue sets the throughput targets on the 100,000-file folder (the largest size); the smaller one
  // is there for the RSS comparison. Its ratios are printed above and in each target's detail.
  const bySize = (f: (r: SizeResult) => number) => results.map((r) => `${fmt.percent(f(r))} at ${r.files} files`).join(', ');
  const fullRatio = (r: SizeResult) => ratio(r.full, r.baselineFull);
  const resyncRatio = (r: SizeResult) => ratio(r.resync, r.walk);
  const targets: Target[] = [
    { name: `full sync of ${large.files} files ≥ ${FULL_TARGET * 100} % of the baseline's documents/s`, pass: fullRatio(large) >= FULL_TARGET, detail: bySize(fullRatio) },
    { name: `no-change resync of ${large.files} files ≥ ${RESYNC_TARGET * 100} % of the walk's files/s`, pass: resyncRatio(large) >= RESYNC_TARGET, detail: bySize(resyncRatio) },
    { name: `peak RSS < ${RSS_LIMIT_MB} MB`, pass: peak.peakRssMb < RSS_LIMIT_MB, detail: `highest ${peak.peakRssMb.toFixed(1)} MB at ${peak.files} files` },
    {
      name: `peak RSS at ${large.files} files no more than at ${small.files} (within ${RSS_NOISE * 100} %)`,
      pass: large.peakRssMb <= small.peakRssMb * (1 + RSS_NOISE),
      detail: `${large.peakRssMb.toFixed(1)} MB vs ${small.peakRssMb.toFixed(1)} MB`,
    },
  ];
  return { tables, targets, errors };
}

async function measure(ctx: ScenarioContext, files: number, errors: string[]): Promise<SizeResult> {
  const dir = ctx.tempDir(`folderSync-${files}-files`);
  const root = path.join(dir, 'docs');
  ctx.log(`generating ${files} files`);
  const bytes = generate(root, files);

  ctx.log('baseline: reading every file into the FTS schema directly');
  const baselineFull = await baselineFullSync(root, path.join(dir, 'baseline-store'));

  const dataDir = path.join(dir, 'kendrite');
  const configFile = path.join(dir, 'kendrite.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000' }], folders: { allowedRoots: [root] } }));
  const kendrite = await startKendrite({ repoRoot: ctx.repoRoot, dataDir, configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20' }, nodeArgs: ctx.options.kendriteNodeArgs });
  try {
    const k = new KendraClient({ endpoint: kendrite.url, region: 'us-east-1', credentials: { ...CREDENTIALS }, maxAttempts: 1 }); // a copy: the SDK marks the object it is given ($source)
    const IndexId = await createIndex(k, 'bench');
    const Id = await createFolderSource(k, IndexId, 'folder', root);
    const rss: number[] = [];
    const target = { client: k, indexId: IndexId, dataSourceId: Id, pid: kendrite.pid, items: files, unit: 'files', sampleMs: 50, samples: rss };
    const sync = (label: string, expected: Record<string, number>) => (ctx.log(`kendrite: ${label}`), measuredSync(target, label, expected, errors));

    const full = await sync('full sync', { DocumentsAdded: files });
    const resyncs: (Rate & { rssMb: number })[] = [];
    const walks: Rate[] = [];
    for (let round = 0; round < RESYNC_ROUNDS; round++) {
      resyncs.push(await sync(`no-change resync ${round + 1}`, {}));
      ctx.log(`baseline: walking the folder with stat, round ${round + 1}`);
      walks.push(walk(root));
    }
    const changed = change(root, files);
    const changedRun = await sync('resync with 1 % changed', { DocumentsModified: changed });
    k.destroy();
    const best = (rates: Rate[]) => rates.reduce((b, r) => (r.perSec > b.perSec ? r : b));
    return {
      files, bytes, baselineFull, full,
      walk: best(walks),
      resync: best(resyncs),
      changedSeconds: changedRun.seconds,
      changedDocs: changed,
      peakRssMb: memoryMb(kendrite.pid, 'VmHWM'),
      medianRssMb: rss.sort((a, b) => a - b)[Math.floor(rss.length / 2)] ?? NaN,
      phaseRssMb: { full: full.rssMb, resync: Math.max(...resyncs.map((r) => r.rssMb)), changed: changedRun.rssMb },
    };
  } finally {
    await kendrite.stop();
  }
}

function fileText(i: number, kind: number, target: number, r: () => number): string {
  const body = words(r, target);
  if (kind === 0) return `${body}\n`;
  if (kind === 1) return `<!DOCTYPE html><html><head><title>Page ${i}</title></head><body><h1>Page ${i}</h1><p>${body}</p></body></html>\n`;
  return `# Note ${i}\n\n${body}\n\n- one\n- two\n`;
}

const EXTENSIONS = ['txt', 'html', 'md'];

function fileName(root: string, i: number): string {
  return path.join(root, `d${String(Math.floor(i / PER_DIR)).padStart(4, '0')}`, `f${String(i).padStart(6, '0')}.${EXTENSIONS[i % 3]}`);
}

/** Writes `n` files of 1–20 KB in directories of 1,000; returns their total size. */
function generate(root: string, n: number): number {
  const r = rng(42);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (i % PER_DIR === 0) mkdirSync(path.dirname(fileName(root, i)), { recursive: true });
    const text = fileText(i, i % 3, 1024 + Math.floor(r() * 19 * 1024), r);
    writeFileSync(fileName(root, i), text);
    total += Buffer.byteLength(text);
  }
  return total;
}

/** Rewrites every 100th file with new text; returns how many. */
function change(root: string, n: number): number {
  const r = rng(7);
  let changed = 0;
  for (let i = 0; i < n; i += 100) {
    writeFileSync(fileName(root, i), fileText(i, i % 3, 1024 + Math.floor(r() * 8 * 1024), r));
    changed++;
  }
  return changed;
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

/** The no-change resync's baseline: every file found and stat'ed. */
function walk(root: string): Rate {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (statSync(p).isFile()) n++;
    }
  };
  visit(root);
  const cpu = process.cpuUsage(cpu0);
  return { perSec: n / ((performance.now() - start) / 1000), cpuUs: (cpu.user + cpu.system) / n };
}

/**
 * The full sync's baseline: read every file, insert its raw text into the same schema — the documents
 * row, FTS5 following by the schema's triggers, so that the baseline keeps up with the schema.
 */
async function baselineFullSync(root: string, dataDir: string): Promise<Rate> {
  const store = await Store.open({ dataDir });
  // Documents name their index and data source by key (store/idKeys.ts).
  await store.db.transaction().execute((trx) => store.documents.ensureKeys(['bench'], ['folder'], trx));
  const insert = store.conn.sqlite!.prepare(
    `INSERT INTO documents (index_key, document_id, source_key, title, body, content_type, attributes, source_uri, content_hash, status, failure_reason, text_bytes, applied_seq, created_at, updated_at)
     VALUES ((SELECT key FROM index_keys WHERE id = 'bench'), ?, (SELECT key FROM data_source_keys WHERE id = 'folder'), ?, ?, 'PLAIN_TEXT', '[]', NULL, NULL, 'INDEXED', NULL, ?, 0, ?, ?)`,
  );
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const all = listFiles(root);
  const now = Date.now();
  for (let i = 0; i < all.length; i += 1000) {
    // Kysely's transaction holds the same SQLite connection, so the prepared insert runs inside it.
    await store.db.transaction().execute(async () => {
      for (const file of all.slice(i, i + 1000)) {
        const text = readFileSync(file, 'utf8');
        insert.run(file, path.basename(file), text, Buffer.byteLength(text), now, now);
      }
    });
  }
  const rate = all.length / ((performance.now() - start) / 1000);
  const cpu = process.cpuUsage(cpu0);
  await store.close();
  return { perSec: rate, cpuUs: (cpu.user + cpu.system) / all.length };
}
