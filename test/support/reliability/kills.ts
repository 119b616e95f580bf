/**
 * kill -9 at chosen points of real syncs — the first full sync, a resync with changes, a no-change
 * resync, the deletion phase (thousands of files removed, so that it lasts), CUSTOM BatchPutDocument
 * batches in flight, a CUSTOM job being stopped — then a restart on the same store. After each: the
 * killed job is terminal (never stuck active), every acknowledged document is in the index, and the
 * next sync leaves the index equal to the source document by document (ids, and each file's current
 * version word in its indexed text).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BatchPutDocumentCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from '../kendra.js';
import { TestServer, waitFor, type TestStore } from '../server.js';
import { activeDataSource, folderTemplate, IndexTables, TERMINAL } from '../sync.js';
import { isIndexed, Tally, type AreaResult } from './tally.js';

export interface KillOptions {
  store: TestStore;
  backend: string;
  /** Scratch folder (under a folders.allowedRoots the servers are given). */
  root: string;
  /** Files in the folder source: enough that a sync lasts long enough to be hit. */
  files: number;
  /** Kill points to run, by name (default: all of KILL_POINTS). */
  points?: string[];
  /** CUSTOM put rounds (each kills with batches in flight). */
  customRounds: number;
}

export const FOLDER_POINTS = ['full sync', 'full sync, every file renamed', 'resync with 30 % changed', 'no-change resync', 'deletion phase, every file renamed', 'deletion phase', 'forced full crawl'];

const ENV = { KENDRITE_LEASE_SECONDS: '2', KENDRITE_TRANSITION_DELAY_MS: '20' };

/** The folder's files: name → version word (each file holds its own version). */
type Source = Map<string, string>;

function writeFile(dir: string, name: string, version: string): void {
  writeFileSync(path.join(dir, name), `Document ${name} at version ${version}.\n${'Ordinary words to index. '.repeat(20)}`);
}

/** Compares the index with the source, document by document; a problem, or undefined. */
async function compare(tables: IndexTables, dataSourceId: string, dir: string, source: Source): Promise<string | undefined> {
  const docs = await tables.documents(dataSourceId);
  const want = [...source.keys()].map((n) => path.join(dir, n)).sort();
  const got = docs.map((d) => d.document_id);
  const missing = want.filter((w) => !got.includes(w));
  const extra = got.filter((g) => !source.has(path.basename(g)));
  if (missing.length || extra.length) return `index ≠ source: ${missing.length} missing (${missing.slice(0, 3).map((m) => path.basename(m)).join(', ')}), ${extra.length} extra`;
  for (const d of docs) {
    const version = source.get(path.basename(d.document_id))!;
    if (!isIndexed(d.status)) return `${path.basename(d.document_id)} is ${d.status}`;
    if (!d.body.includes(`at version ${version}.`)) return `${path.basename(d.document_id)} holds old text (want version ${version})`;
  }
  return undefined;
}

export type JobState = NonNullable<Awaited<ReturnType<IndexTables['job']>>>;

/** Polls the store itself (a millisecond, where the API takes tens under load) until `hit` (true), or the job ends (false). */
export async function waitForJob(tables: IndexTables, executionId: string, hit: (j: JobState) => boolean): Promise<boolean> {
  for (;;) {
    const j = await tables.job(executionId);
    if (j && hit(j)) return true;
    if (j && TERMINAL.includes(j.status)) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function killPoints(o: KillOptions): Promise<AreaResult> {
  const tally = new Tally('kill -9 and restart', o.backend);
  const dir = path.join(o.root, `kill-${o.backend}`);
  mkdirSync(dir, { recursive: true });
  const source: Source = new Map();
  for (let i = 0; i < o.files; i++) {
    const name = `f${String(i).padStart(5, '0')}.txt`;
    source.set(name, 'v1');
    writeFile(dir, name, 'v1');
  }
  const opts = { config: { folders: { allowedRoots: [o.root] }, sync: { fetchConcurrency: 2 } }, env: ENV };
  const want = (p: string) => !o.points || o.points.includes(p);
  let server = await TestServer.start(o.store, opts);
  const tables = await IndexTables.open(o.store);
  let k = server.client();
  const indexId = await activeIndex(k, 'kills');
  const folder = await activeDataSource(k, { IndexId: indexId, Name: 'kill-folder', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
  // The forced full crawl has a folder of its own: by then the first folder has lost most of its
  // files (the deletion phase), and a crawl that short ended before the kill.
  const forcedDir = path.join(o.root, `kill-${o.backend}-forced`);
  const forcedSource: Source = new Map();
  const forced = want('forced full crawl') ? await activeDataSource(k, { IndexId: indexId, Name: 'kill-forced', Type: 'TEMPLATE', Configuration: folderTemplate(forcedDir, { syncMode: 'FORCED_FULL_CRAWL' }) }) : '';

  /** Files the point's prepare removed (each must be deleted exactly once). */
  let removed = 0;
  const start = async () => {
    server = await TestServer.start(o.store, opts);
    k = server.client();
  };
  const restart = async () => {
    await server.kill();
    await start();
  };
  /**
   * Starts a sync, kills the server when `hit` holds, restarts; the kill must have landed in `phase`
   * (the job still there, read from the store between the kill and the restart); the killed job
   * must end, then a whole sync must leave index = source.
   */
  const killDuring = async (name: string, ds: string, phase: 'SYNCING' | 'SYNCING_INDEXING', hit: (j: JobState) => boolean, prepare?: () => void | Promise<void>, target = { dir, source }) => {
    await tally.attempt(`${name}`, async () => {
      removed = 0;
      await prepare?.();
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      if (!(await waitForJob(tables, ExecutionId!, (j) => j.status === phase && hit(j)))) return 'missed: the job ended before the kill point';
      await server.kill();
      const at = await tables.job(ExecutionId!);
      await start();
      const killed = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL, 60_000);
      if (at?.status !== phase) return `missed: the kill landed in ${at?.status}, not ${phase}`;
      if (killed.Status !== 'FAILED' && killed.Status !== 'ABORTED') return `the killed job is ${killed.Status}`;
      const next = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const done = await jobReaching(k, indexId, ds, next.ExecutionId!, TERMINAL, 300_000);
      if (done.Status !== 'SUCCEEDED') return `the sync after the restart is ${done.Status}: ${done.ErrorMessage ?? ''}`;
      // Every file removed is deleted exactly once: what the killed job committed, then the rest.
      const deleted = at.deleted + Number(done.Metrics!.DocumentsDeleted);
      if (deleted !== removed) return `${removed} files removed, ${at.deleted} deleted by the killed job + ${done.Metrics!.DocumentsDeleted} by the next = ${deleted}`;
      if (phase === 'SYNCING_INDEXING') tally.note(`${name}: killed after ${at.deleted} of ${removed} deletions`);
      return compare(tables, ds, target.dir, target.source);
    });
  };
  const progress = (m: 'added' | 'modified' | 'scanned', n: number) => (j: JobState) => j[m] >= n;

  try {
    const renameAll = () => {
      for (const name of [...source.keys()]) {
        rmSync(path.join(dir, name));
        source.delete(name);
        removed++;
        const renamed = `r${name}`;
        source.set(renamed, 'v1');
        writeFile(dir, renamed, 'v1');
      }
    };
    if (want('full sync')) await killDuring('full sync', folder, 'SYNCING', progress('added', Math.ceil(o.files / 10)));
    else
      await tally.attempt('full sync (no kill)', async () => {
        const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: folder }));
        const done = await jobReaching(k, indexId, folder, ExecutionId!, TERMINAL, 300_000);
        return done.Status === 'SUCCEEDED' ? compare(tables, folder, dir, source) : `${done.Status}: ${done.ErrorMessage}`;
      });
    // Every file renamed: a full sync of new documents again, killed a third of the way.
    if (want('full sync, every file renamed')) await killDuring('full sync, every file renamed', folder, 'SYNCING', progress('added', Math.ceil(o.files / 3)), renameAll);
    if (want('resync with 30 % changed'))
      await killDuring('resync with 30 % changed', folder, 'SYNCING', progress('modified', 5), () => {
        let i = 0;
        for (const name of source.keys()) if (i++ % 10 < 3) (source.set(name, 'v2'), writeFile(dir, name, 'v2'));
      });
    if (want('no-change resync')) await killDuring('no-change resync', folder, 'SYNCING', progress('scanned', Math.ceil(o.files / 4)));
    // Every file renamed: as many new documents as deletions, the deletions last.
    // Deletions are committed 500 at a time: killed once the first batch is in, with more to go.
    const deleting = (j: JobState) => j.deleted > 0;
    if (want('deletion phase, every file renamed')) await killDuring('deletion phase, every file renamed', folder, 'SYNCING_INDEXING', deleting, renameAll);
    if (want('deletion phase'))
      await killDuring('deletion phase', folder, 'SYNCING_INDEXING', deleting, () => {
        // Nine files in ten go: thousands of deletions, so that the phase lasts.
        let i = 0;
        for (const name of [...source.keys()]) {
          if (i++ % 10 === 0) continue;
          rmSync(path.join(dir, name));
          source.delete(name);
          removed++;
        }
      });
    if (want('forced full crawl'))
      await killDuring('forced full crawl', forced, 'SYNCING', progress('modified', Math.ceil(o.files / 20)), async () => {
        // Half as many files indexed first (the full sync is its own point), then re-indexed in full
        // by the forced crawl (every document counted modified), killed a tenth of the way.
        mkdirSync(forcedDir, { recursive: true });
        for (let i = 0; i < Math.ceil(o.files / 2); i++) {
          const name = `g${String(i).padStart(5, '0')}.txt`;
          forcedSource.set(name, 'v1');
          writeFile(forcedDir, name, 'v1');
        }
        const first = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: forced }));
        const indexed = await jobReaching(k, indexId, forced, first.ExecutionId!, TERMINAL, 300_000);
        if (indexed.Status !== 'SUCCEEDED') throw new Error(`the forced crawl's folder was not indexed first: ${indexed.Status} ${indexed.ErrorMessage ?? ''}`);
      }, { dir: forcedDir, source: forcedSource });
    if (o.customRounds > 0) await customKills(o, tally, indexId, tables, () => k, restart);
    await tally.attempt('the folder on disk and the index agree at the end', async () => {
      const onDisk = readdirSync(dir).sort();
      return JSON.stringify(onDisk) === JSON.stringify([...source.keys()].sort()) ? compare(tables, folder, dir, source) : 'the test lost track of its folder';
    });
  } finally {
    await tables.close();
    await server.stop();
  }
  return tally.result;
}

/**
 * CUSTOM: a job, four clients putting batches of 10 as fast as they can, kill -9 while batches are in
 * flight. Every acknowledged document must be in the index after the restart; the clients then resend
 * what had no answer (as a client retries), and the index holds exactly every document sent.
 */
async function customKills(o: KillOptions, tally: Tally, indexId: string, tables: IndexTables, client: () => KendraClient, restart: () => Promise<void>): Promise<void> {
  const ds = await activeCustomDataSource(client(), indexId, 'kill-custom');
  const all = new Set<string>();
  for (let round = 0; round < o.customRounds; round++) {
    await tally.attempt(`CUSTOM batches in flight, round ${round + 1}`, async () => {
      const k = client();
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const acked = new Set<string>();
      const unanswered: string[][] = [];
      let stop = false;
      const docs = (ids: string[]) =>
        ids.map((Id) => ({
          Id,
          Blob: Buffer.from(`custom document ${Id} `.repeat(20)),
          ContentType: 'PLAIN_TEXT' as const,
          Attributes: [
            { Key: '_data_source_id', Value: { StringValue: ds } },
            { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
          ],
        }));
      const putter = async (c: number) => {
        for (let b = 0; !stop; b++) {
          const ids = Array.from({ length: 10 }, (_, i) => `c${round}-${c}-${b}-${i}`);
          ids.forEach((id) => all.add(id));
          try {
            const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: docs(ids) }));
            if (r.FailedDocuments?.length) throw new Error(`refused: ${JSON.stringify(r.FailedDocuments[0])}`);
            ids.forEach((id) => acked.add(id));
          } catch (e) {
            if ((e as Error).message.startsWith('refused')) throw e;
            unanswered.push(ids);
            return;
          }
        }
      };
      const putters = Array.from({ length: 4 }, (_, c) => putter(c));
      await waitFor('batches acknowledged', async () => (acked.size >= 100 + round * 50 ? true : undefined), 60_000);
      await restart();
      stop = true;
      await Promise.all(putters);
      const k2 = client();
      const killed = await jobReaching(k2, indexId, ds, ExecutionId!, TERMINAL, 60_000);
      if (killed.Status !== 'FAILED') return `the killed CUSTOM job is ${killed.Status}`;
      // Acknowledged means kept: each one indexed once the restarted server has worked its queue.
      const indexedAcked = async () => {
        const have = new Map((await tables.documents(ds)).map((d) => [d.document_id, d.status]));
        return [...acked].filter((id) => !isIndexed(have.get(id)));
      };
      const t0 = Date.now();
      const lost = await waitFor('acknowledged documents indexed', async () => ((await indexedAcked()).length === 0 ? [] : undefined), 60_000).catch(indexedAcked);
      tally.note(`CUSTOM round ${round + 1}: ${acked.size} acknowledged documents indexed ${((Date.now() - t0) / 1000).toFixed(1)} s after the killed job ended`);
      if (lost.length) return `${lost.length} of ${acked.size} acknowledged documents not indexed after the restart (${lost.slice(0, 3).join(', ')})`;
      // The clients resend what got no answer, in a new job; then index = everything sent, exactly.
      const again = await k2.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      for (const ids of unanswered)
        await k2.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: docs(ids).map((d) => ({ ...d, Attributes: [d.Attributes[0]!, { Key: '_data_source_sync_job_execution_id', Value: { StringValue: again.ExecutionId! } }] })) }));
      await k2.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const ended = await jobReaching(k2, indexId, ds, again.ExecutionId!, TERMINAL, 60_000);
      if (ended.Status !== 'SUCCEEDED') return `the resend job is ${ended.Status}`;
      const sent = JSON.stringify([...all].sort());
      const indexed = async () => (await tables.documents(ds)).filter((d) => isIndexed(d.status)).map((d) => d.document_id).sort();
      return waitFor('index = every document sent', async () => (JSON.stringify(await indexed()) === sent ? true : undefined), 60_000).then(
        () => undefined,
        async () => {
          const ids = new Set(await indexed());
          return `index ≠ documents sent: ${[...all].filter((id) => !ids.has(id)).length} missing, ${[...ids].filter((id) => !all.has(id)).length} extra`;
        },
      );
    });
  }
  // Killed while a stop is being carried out (SYNCING_INDEXING of a CUSTOM job).
  await tally.attempt('CUSTOM job killed while stopping', async () => {
    const k = client();
    const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    await restart();
    const j = await jobReaching(client(), indexId, ds, ExecutionId!, TERMINAL, 60_000);
    return j.Status === 'SUCCEEDED' || j.Status === 'FAILED' ? undefined : `the job is ${j.Status}`;
  });
}
