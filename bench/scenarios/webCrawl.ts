/**
 * A WEBCRAWLER data source over a 10,000-page site on loopback (its own process; rate limit off),
 * crawled by a kendrite server process: the full crawl, and a recrawl with no change (conditional GETs,
 * 304s). Baseline, in the same run against the same site: a plain undici client that only fetches the
 * same URLs at the same concurrency (kendrite's sync.fetchConcurrency), keep-alive, reading every body.
 * Beside it, what indexing those pages costs at the least, for the target's arithmetic: per page, the
 * CPU of extracting their links and text as kendrite does and of inserting the text into a bare FTS5
 * table; the fetch-only CPU plus these is a floor under any crawler that indexes on one thread.
 *
 * KENDRITE_BENCH_WEB_PAGES=2000 runs another size.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KendraClient } from '@aws-sdk/client-kendra';
import BetterSqlite3 from 'better-sqlite3';
import { Agent, request } from 'undici';
import { createDataSource, createIndex } from '../lib/kendraResources.js';
import { measuredSync, type Rate } from '../lib/measuredSync.js';
import { memoryMb, startKendrite } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Target } from '../lib/scenario.js';
import { fmt } from '../lib/stats.js';
import { sitePaths } from '../lib/webSitePages.js';
import { extractText } from '../../src/connectors/extract/index.js';
import { extractLinks } from '../../src/connectors/web/links.js';

export const name = 'webCrawl';
export const description =
  'WEBCRAWLER crawl of a 10,000-page site on loopback (rate limit off): pages/s vs a client that only fetches the same URLs at the same concurrency; no-change recrawl (304s)';

const PAGES = Number(process.env.KENDRITE_BENCH_WEB_PAGES ?? 10_000);
const CONCURRENCY = 8; // kendrite's default sync.fetchConcurrency, which the crawler fetches with
const TARGET = 0.6;
const ROUNDS = 2;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHWEB', secretAccessKey: 'bench-web-secret' };
const ROLE = 'arn:aws:iam::000000000000:role/kendra';

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const errors: string[] = [];
  const site = await startSite(PAGES);
  try {
    const urls = sitePaths(PAGES).map((p) => `http://127.0.0.1:${site.port}${p}`);
    const dir = ctx.tempDir('webCrawl');
    const configFile = path.join(dir, 'kendrite.json');
    writeFileSync(configFile, JSON.stringify({
      credentials: [{ ...CREDENTIALS, accountId: '000000000000' }],
      sync: { fetchConcurrency: CONCURRENCY },
      crawler: { allowCidrs: ['127.0.0.0/8'], defaultUrlsPerMinute: 0 },
    }));
    const crawls: Rate[] = [];
    const baselines: Rate[] = [];
    let recrawl: Rate | undefined;
    let peakRssMb = NaN;
    let floor: Floor | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      ctx.log(`baseline: fetching ${urls.length} URLs, ${CONCURRENCY} at a time (round ${round + 1})`);
      const fetched = await fetchAll(urls, CONCURRENCY, errors);
      baselines.push(fetched);
      if (round === 0) {
        ctx.log('the floor: links, text and a bare FTS5 insert of the fetched pages');
        floor = await indexingFloor(urls, fetched.bodies, path.join(dir, 'floor.db'));
      }
      const kendrite = await startKendrite({ repoRoot: ctx.repoRoot, dataDir: path.join(dir, `kendrite-${round}`), configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20' }, nodeArgs: ctx.options.kendriteNodeArgs });
      try {
        const k = new KendraClient({ endpoint: kendrite.url, region: 'us-east-1', credentials: { ...CREDENTIALS }, maxAttempts: 1 });
        const IndexId = await createIndex(k, 'bench');
        const Configuration = { WebCrawlerConfiguration: { Urls: { SeedUrlConfiguration: { SeedUrls: [urls[0]!] } }, CrawlDepth: 3, MaxLinksPerPage: 1000 } };
        const Id = await createDataSource(k, IndexId, { Name: 'site', Type: 'WEBCRAWLER', RoleArn: ROLE, Configuration });
        const target = { client: k, indexId: IndexId, dataSourceId: Id, pid: kendrite.pid, items: urls.length, unit: 'pages', sampleMs: 100 };
        ctx.log(`kendrite: full crawl (round ${round + 1})`);
        crawls.push(await measuredSync(target, `full crawl ${round + 1}`, { DocumentsAdded: urls.length }, errors));
        if (round === 0) {
          ctx.log('kendrite: no-change recrawl');
          recrawl = await measuredSync(target, 'no-change recrawl', {}, errors);
        }
        k.destroy();
        peakRssMb = Math.max(Number.isNaN(peakRssMb) ? 0 : peakRssMb, memoryMb(kendrite.pid, 'VmHWM'));
      } finally {
        await kendrite.stop();
      }
    }
    const best = (rates: Rate[]) => rates.reduce((b, r) => (r.perSec > b.perSec ? r : b));
    const crawl = best(crawls);
    const baseline = best(baselines);
    const ratio = crawl.perSec / baseline.perSec;
    // One thread fetching, parsing and indexing every page, at the baseline's fetch CPU: its pages/s at the very best.
    const floorUs = baseline.cpuUs + floor!.linksUs + floor!.extractUs + floor!.insertUs;
    const targets: Target[] = [
      { name: `full crawl of ${urls.length} pages ≥ ${TARGET * 100} % of the fetch-only client's pages/s`, pass: ratio >= TARGET, detail: `${fmt.rps(crawl.perSec)} vs ${fmt.rps(baseline.perSec)} pages/s: ${fmt.percent(ratio)}` },
    ];
    return {
      tables: [
        {
          title: `Crawl of ${urls.length} pages on loopback, ${CONCURRENCY} fetches at a time (best of ${ROUNDS}, interleaved)`,
          columns: ['run', 'pages/s', 'ratio to baseline', 'CPU µs/page'],
          rows: [
            ['kendrite full crawl', fmt.rps(crawl.perSec), fmt.ratio(ratio), fmt.rps(crawl.cpuUs)],
            ['kendrite no-change recrawl (304s)', fmt.rps(recrawl?.perSec ?? NaN), fmt.ratio((recrawl?.perSec ?? NaN) / baseline.perSec), fmt.rps(recrawl?.cpuUs ?? NaN)],
            ['baseline: fetch only', fmt.rps(baseline.perSec), '1.00', fmt.rps(baseline.cpuUs)],
            ['floor: fetch + links + text + bare FTS5 insert, one thread', fmt.rps(1e6 / floorUs), fmt.ratio(1e6 / floorUs / baseline.perSec), fmt.rps(floorUs)],
          ],
          notes: [
            'kendrite: pages / (job EndTime − StartTime): robots.txt, link extraction, HTML extraction, change and deletion detection, index writes; CPU of the server process.',
            'baseline: undici request() on a keep-alive Agent, the same URLs in crawl order, each body read to its end; CPU of the bench process.',
            `floor: the baseline's fetch CPU + extractLinks ${fmt.rps(floor!.linksUs)} + HTML text extraction ${fmt.rps(floor!.extractUs)} + INSERT into fts5(title, body, porter unicode61), 100 per transaction, ${fmt.rps(floor!.insertUs)} µs/page; its pages/s is 10^6 / its CPU µs (no change detection, passages, attributes, report or metrics).`,
            `site: a separate process; peak RSS of kendrite ${peakRssMb.toFixed(1)} MB.`,
          ],
        },
      ],
      targets,
      errors,
    };
  } finally {
    await site.stop();
  }
}

async function fetchAll(urls: string[], concurrency: number, errors: string[]): Promise<Rate & { bodies: Buffer[] }> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const bodies: Buffer[] = [];
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      const url = urls[i]!;
      const r = await request(url, { dispatcher: agent });
      bodies[i] = Buffer.from(await r.body.arrayBuffer());
      if (r.statusCode !== 200) errors.push(`baseline: ${url} answered ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await agent.close();
  return { perSec: urls.length / seconds, cpuUs: (cpu.user + cpu.system) / urls.length, bodies };
}

interface Floor {
  linksUs: number;
  extractUs: number;
  insertUs: number;
}

/** CPU µs per page of each step every indexing crawler takes, done as simply as can be. */
async function indexingFloor(urls: string[], bodies: Buffer[], file: string): Promise<Floor> {
  const perPage = (cpu0: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(cpu0);
    return (c.user + c.system) / bodies.length;
  };
  let cpu0 = process.cpuUsage();
  bodies.forEach((b, i) => extractLinks(b.toString('utf8'), urls[i]!, 1000));
  const linksUs = perPage(cpu0);
  cpu0 = process.cpuUsage();
  const pages: { title: string; text: string }[] = [];
  for (const b of bodies) {
    const e = await extractText(b, 'HTML');
    if (e.ok) pages.push({ title: e.title ?? '', text: e.text });
  }
  const extractUs = perPage(cpu0);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE VIRTUAL TABLE pages USING fts5(title, body, tokenize='porter unicode61')`);
  const insert = db.prepare('INSERT INTO pages (title, body) VALUES (?, ?)');
  const hundred = db.transaction((from: number) => pages.slice(from, from + 100).forEach((p) => insert.run(p.title, p.text)));
  cpu0 = process.cpuUsage();
  for (let i = 0; i < pages.length; i += 100) hundred(i);
  const insertUs = perPage(cpu0);
  db.close();
  return { linksUs, extractUs, insertUs };
}

async function startSite(pages: number): Promise<{ port: number; stop(): Promise<void> }> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '../lib/webSiteServer.js');
  const child = fork(script, [String(pages)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { listening?: number }) => (m.listening ? resolve(m.listening) : reject(new Error('site: unexpected message'))));
    child.once('exit', (code) => reject(new Error(`the site's process exited with ${code}`)));
  });
  return {
    port,
    async stop() {
      child.disconnect();
      await exited;
    },
  };
}
