/**
 * The hostile-file corpus, generated here (no fixture checked in): decompression bombs (PDF, DOCX,
 * lying zip headers), deep JSON/XML/HTML/RTF, entity bombs and XXE, huge string lists in metadata,
 * NUL and binary text, a 10 MB line — beside ordinary files, synced from a FILESYSTEM data source
 * while /health's latency and the process's RSS are sampled. Each hostile file fails alone with a
 * reason or is indexed; every ordinary file is indexed; the counts add up; peak RSS < 1 GB; /health
 * answers every sample in under 5 s; no XXE leak.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deflatedRun, makeFlatePdf, makeZipBomb } from '../corpus.js';
import { activeIndex } from '../kendra.js';
import type { TestServer } from '../server.js';
import { activeDataSource, folderTemplate, IndexTables, metrics, report, syncToEnd } from '../sync.js';
import type { TestStore } from '../server.js';
import { SLOW_MS } from './fuzz.js';
import { memoryOf, Tally, type AreaResult } from './tally.js';

const MB = 1024 * 1024;
export const RSS_LIMIT = 1024 * MB;

/** name → bytes; `bombBytes`: how far the bombs inflate. */
export async function hostileCorpus(bombBytes: number): Promise<Record<string, Uint8Array | string>> {
  const pdfBomb = await deflatedRun('BT /F1 12 Tf 72 720 Td (bombtext) Tj ET\n', 0x20, bombBytes);
  const laughs = ['<!DOCTYPE lolz [<!ENTITY lol0 "lol">'];
  for (let i = 1; i < 10; i++) laughs.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return {
    'bomb.pdf': makeFlatePdf(pdfBomb),
    'bomb-indirect-length.pdf': makeFlatePdf(pdfBomb, { indirectLength: true }),
    'bomb.docx': makeZipBomb({ inflatedBytes: Math.min(bombBytes, 256 * MB) }),
    'bomb-lying.docx': makeZipBomb({ inflatedBytes: Math.min(bombBytes, 256 * MB), lie: true }),
    'deep.json': `${'['.repeat(2 * MB)}"deepword"${']'.repeat(2 * MB)}`,
    'deep-objects.json': `${'{"a":'.repeat(500_000)}1${'}'.repeat(500_000)}`,
    'deep.xml': `<?xml version="1.0"?>${'<a>'.repeat(500_000)}deep${'</a>'.repeat(500_000)}`,
    'deep.html': `<html><body>${'<div>'.repeat(100_000)}deep${'</div>'.repeat(100_000)}</body></html>`,
    'deep.rtf': `{\\rtf1 ${'{'.repeat(300_000)}deep${'}'.repeat(300_000)}}`,
    'billion-laughs.xml': `<?xml version="1.0"?>${laughs.join('')}]><lolz>&lol9;</lolz>`,
    'xxe.xml': '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>leak &x; here</r>',
    'nul.txt': `text with\u0000NUL\u0000characters ${'\u0000'.repeat(1000)} and words`,
    'binary.txt': Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 7919) % 256)),
    'long-line.txt': 'w'.repeat(10 * MB),
    'many-cells.csv': Array.from({ length: 200_000 }, (_, i) => `${i},${'c,'.repeat(10)}x`).join('\n'),
    'authors.txt': 'A file whose metadata lists 60,000 authors.',
    'authors.txt.metadata.json': JSON.stringify({ Attributes: { _authors: Array.from({ length: 60_000 }, (_, i) => `author ${i}`) } }),
    'huge-title.txt': 'A file whose metadata title is 1 MB.',
    'huge-title.txt.metadata.json': JSON.stringify({ Title: 't'.repeat(MB) }),
    'bad-metadata.txt': 'A file whose metadata is not JSON.',
    'bad-metadata.txt.metadata.json': '{"Attributes": ',
    'empty.pdf': '',
    'not-a-pdf.pdf': 'this is not a PDF at all',
  };
}

/** Files whose outcome is known exactly: each must fail with this reason (any other file may fail alone or be indexed). */
export const EXPECTED_FAILURES: Record<string, string> = {
  'deep.json': 'JSON nested deeper than 1000 levels',
  'deep.html': 'HTML nested deeper than 2000 levels',
};

export const ORDINARY = 20;

export interface HostileOptions {
  server: TestServer;
  store: TestStore;
  backend: string;
  /** A folder under the server's folders.allowedRoots. */
  dir: string;
  bombBytes: number;
}

export async function hostileFiles(o: HostileOptions): Promise<AreaResult> {
  const tally = new Tally('hostile files', o.backend);
  mkdirSync(o.dir, { recursive: true });
  const corpus = await hostileCorpus(o.bombBytes);
  for (const [name, bytes] of Object.entries(corpus)) writeFileSync(path.join(o.dir, name), bytes);
  for (let i = 0; i < ORDINARY; i++) writeFileSync(path.join(o.dir, `ordinary-${i}.txt`), `An ordinary file ${i} beside the hostile ones.`);
  const documents = Object.keys(corpus).filter((n) => !n.endsWith('.metadata.json'));
  const k = o.server.client();
  const indexId = await activeIndex(k, 'hostile');
  const ds = await activeDataSource(k, { IndexId: indexId, Name: 'hostile', Type: 'TEMPLATE', Configuration: folderTemplate(o.dir) });

  // /health and RSS sampled every 100 ms while the sync runs.
  const pid = o.server.proc.pid!;
  const health: number[] = [];
  const healthFailures: string[] = [];
  let sampling = true;
  let rssMax = 0;
  const sampler = (async () => {
    while (sampling) {
      const t0 = performance.now();
      const status = await fetch(`${o.server.url}/health`, { signal: AbortSignal.timeout(SLOW_MS) }).then((r) => r.status, (e: Error) => e.message);
      health.push(performance.now() - t0);
      if (status !== 200) healthFailures.push(String(status));
      try {
        rssMax = Math.max(rssMax, memoryOf(pid).now);
      } catch {
        /* the process is gone: recorded below */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const job = await syncToEnd(k, indexId, ds, 600_000).finally(() => (sampling = false));
  await sampler;
  const peak = memoryOf(pid).peak;
  const sorted = [...health].sort((a, b) => a - b);
  tally.note(`peak RSS ${Math.round(peak / MB)} MB; /health: ${health.length} samples, p99 ${Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? NaN)} ms, max ${Math.round(sorted[sorted.length - 1] ?? NaN)} ms`);

  const tables = await IndexTables.open(o.store);
  try {
    const items = (await report(o.server, job.ExecutionId!)).items;
    const failed = new Map(items.filter((i) => i.Action === 'FAILED').map((i) => [path.basename(i.DocumentId), i.Reason ?? '']));
    const indexed = new Map((await tables.documents(ds)).map((d) => [path.basename(d.document_id), d]));
    tally.record(job.Status === 'INCOMPLETE' || job.Status === 'SUCCEEDED' ? undefined : `${job.Status}: ${job.ErrorMessage}`, 'the sync ends (not FAILED)');
    const m = metrics(job);
    const total = documents.length + ORDINARY;
    tally.record(
      m.scanned === String(total) && Number(m.added) + Number(m.failed) === total && Number(m.failed) === failed.size ? undefined : `metrics ${JSON.stringify(m)}, ${failed.size} failed in the report, ${total} files`,
      'the counts add up: scanned = files, added + failed = scanned',
    );
    for (let i = 0; i < ORDINARY; i++) tally.record(indexed.get(`ordinary-${i}.txt`)?.status === 'INDEXED' ? undefined : 'not indexed', `ordinary-${i}.txt indexed`);
    for (const name of documents) {
      const d = indexed.get(name);
      const reason = failed.get(name);
      if (reason !== undefined) tally.note(`${name}: ${reason.slice(0, 100)}`);
      const expected = EXPECTED_FAILURES[name];
      if (expected !== undefined) {
        tally.record(reason === expected ? undefined : `${reason === undefined ? `not failed (${d?.status ?? 'absent'})` : `failed with "${reason.slice(0, 200)}"`}`, `${name}: fails with "${expected}"`);
        continue;
      }
      tally.record(
        (d?.status === 'INDEXED' && reason === undefined) || (reason && reason.length > 0) ? undefined : `neither indexed nor failed with a reason (${d?.status ?? 'absent'})`,
        `${name}: fails alone with a reason, or is indexed`,
      );
    }
    tally.record(/root:.*:0:0:/.test(indexed.get('xxe.xml')?.body ?? '') ? 'the XXE entity was expanded' : undefined, 'xxe.xml: no external entity read');
    tally.record(peak < RSS_LIMIT ? undefined : `peak RSS ${Math.round(peak / MB)} MB`, 'peak RSS < 1 GB');
    tally.record(healthFailures.length === 0 && sorted[sorted.length - 1]! < SLOW_MS ? undefined : `${healthFailures.length} /health failures (${healthFailures[0]}), max ${Math.round(sorted[sorted.length - 1]!)} ms`, '/health answers every sample in under 5 s');
    tally.record(o.server.proc.exitCode === null ? undefined : `exited ${o.server.proc.exitCode}`, 'the server lives');
    tally.note(`rss samples max ${Math.round(rssMax / MB)} MB`);
  } finally {
    await tables.close();
  }
  return tally.result;
}
