/**
 * PostgreSQL under duress: the cluster restarted under load (reads, puts and a folder sync at once),
 * and two kendrite processes on one database — the owner of a sync killed (the other fails the job
 * once its lease expires, S-JOB-7), and a BatchPutDocument flood beside a live sync (which must end
 * SUCCEEDED with exact counts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BatchPutDocumentCommand, ListIndicesCommand, StartDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeIndex, jobReaching } from '../kendra.js';
import { TestServer, waitFor, type TestStore } from '../server.js';
import { activeDataSource, folderTemplate, IndexTables, metrics, TERMINAL } from '../sync.js';
import { SLOW_MS } from './fuzz.js';
import { waitForJob } from './kills.js';
import type { PrivatePostgres } from './privatePostgres.js';
import { isIndexed, Tally, type AreaResult } from './tally.js';

const LEASE_ENV = { KENDRITE_LEASE_SECONDS: '2', KENDRITE_TRANSITION_DELAY_MS: '20' };

function folder(root: string, name: string, files: number): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(dir, `f${String(i).padStart(5, '0')}.txt`), `${name} file ${i}. ${'Words to index. '.repeat(20)}`);
  return dir;
}

/** Ids of what the index holds for a data source, against the expected ids: a problem or undefined. */
async function exact(tables: IndexTables, ds: string, want: string[]): Promise<string | undefined> {
  const got = (await tables.documents(ds)).filter((d) => isIndexed(d.status)).map((d) => d.document_id);
  const have = new Set(got);
  const missing = want.filter((w) => !have.has(w));
  return missing.length || got.length !== want.length ? `index holds ${got.length}, expected ${want.length} (${missing.length} missing)` : undefined;
}

export interface RestartOptions {
  cluster: PrivatePostgres;
  store: TestStore;
  root: string;
  files: number;
  /** Load before and after the restart, in ms. */
  loadMs: number;
}

/**
 * Reads, puts and a folder sync at once; the cluster restarts in the middle. The process lives; every
 * answer is under 5 s and is either 200 or a JSON error (500 only while the database is down); after
 * the restart every request succeeds again; every acknowledged put is in the index; the folder's sync
 * ends (never stuck active) and the next one leaves exactly the folder in the index.
 */
export async function postgresRestart(o: RestartOptions): Promise<AreaResult> {
  const tally = new Tally('PostgreSQL restart under load', 'postgres');
  const dir = folder(o.root, 'restart', o.files);
  const server = await TestServer.start(o.store, { config: { folders: { allowedRoots: [o.root] } }, env: LEASE_ENV });
  // The suite's own connection is opened after the restart (the restart would end it).
  let tables: IndexTables | undefined;
  try {
    const k = server.client();
    const indexId = await activeIndex(k, 'restart');
    const ds = await activeDataSource(k, { IndexId: indexId, Name: 'restart-folder', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
    const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    const acked: string[] = [];
    const answers = new Map<string, number>();
    let slow = 0;
    let phase: 'before' | 'during' | 'after' = 'before';
    const afterErrors: string[] = [];
    let running = true;
    const note = (what: string) => {
      const key = `${phase}: ${what}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
      if (phase === 'after' && what !== 'ok') afterErrors.push(what);
    };
    const timed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      try {
        await fn();
        note('ok');
      } catch (e) {
        const err = e as Error & { $metadata?: { httpStatusCode?: number } };
        note(`${err.$metadata?.httpStatusCode ?? 'no answer'} ${err.name}`);
      }
      if (performance.now() - t0 > SLOW_MS) slow++;
    };
    const reader = async () => {
      while (running) await timed(() => k.send(new ListIndicesCommand({})));
    };
    const putter = async (c: number) => {
      for (let b = 0; running; b++) {
        const Documents = Array.from({ length: 5 }, (_, i) => ({ Id: `restart-${c}-${b}-${i}`, Blob: Buffer.from(`put during a restart ${c} ${b} ${i}`), ContentType: 'PLAIN_TEXT' as const }));
        await timed(async () => {
          const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }));
          if (r.FailedDocuments?.length) throw Object.assign(new Error('refused'), { name: `FailedDocuments ${r.FailedDocuments[0]!.ErrorCode}` });
          acked.push(...Documents.map((d) => d.Id));
        });
      }
    };
    const load = [reader(), reader(), putter(0), putter(1)];
    await new Promise((r) => setTimeout(r, o.loadMs));
    phase = 'during';
    const healthDuring = fetch(`${server.url}/health`, { signal: AbortSignal.timeout(SLOW_MS) }).then((r) => r.status, (e: Error) => e.message);
    await o.cluster.restart();
    // Give the pool a moment to notice its connections ended; from then on every request must succeed.
    await waitFor('a request succeeds after the restart', async () => ((await k.send(new ListIndicesCommand({})).then(() => true, () => false)) ? true : undefined), 30_000);
    phase = 'after';
    await new Promise((r) => setTimeout(r, o.loadMs));
    running = false;
    await Promise.all(load);
    tables = await IndexTables.open(o.store);
    const t = tables;
    tally.note(`answers: ${[...answers].map(([k, n]) => `${n} ${k}`).join(', ')}`);

    tally.record(server.proc.exitCode === null ? undefined : `exited ${server.proc.exitCode}`, 'the process lives through the restart');
    tally.record(slow === 0 ? undefined : `${slow} answers slower than 5 s`, 'every answer under 5 s');
    const faults = [...answers.keys()].filter((k) => !k.endsWith(': ok') && !/^during: 500 InternalServerException$/.test(k));
    tally.record(faults.length ? faults.join(', ') : undefined, 'only 200s, or InternalServerException while the database is down');
    tally.record(afterErrors.length ? `${afterErrors.length} failures after the restart: ${afterErrors[0]}` : undefined, 'every request after the restart succeeds');
    const hd = await healthDuring;
    tally.record(typeof hd === 'number' && hd < 600 ? undefined : `/health: ${hd}`, '/health answers during the restart');
    await tally.attempt('every acknowledged put is in the index', async () => {
      const puts = await waitFor('puts indexed', async () => {
        const have = new Set((await t.documentsOfIndex(indexId)).filter((d) => isIndexed(d.status)).map((d) => d.document_id));
        const missing = acked.filter((id) => !have.has(id));
        return missing.length === 0 ? true : undefined;
      }, 60_000).catch(() => false);
      return puts ? undefined : 'acknowledged puts missing from the index';
    });
    await tally.attempt('the sync that ran through the restart ends, and the next sync leaves exactly the folder', async () => {
      const j = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL, 120_000);
      const next = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const done = await jobReaching(k, indexId, ds, next.ExecutionId!, TERMINAL, 300_000);
      if (done.Status !== 'SUCCEEDED') return `the sync through the restart ${j.Status}; the next one ${done.Status}: ${done.ErrorMessage}`;
      return exact(t, ds, Array.from({ length: o.files }, (_, i) => path.join(dir, `f${String(i).padStart(5, '0')}.txt`)));
    });
  } finally {
    await tables?.close();
    await server.stop();
  }
  return tally.result;
}

export interface TwoProcessOptions {
  store: TestStore;
  root: string;
  files: number;
}

/** Owner killed mid-sync; a put flood beside a live sync. */
export async function twoProcesses(o: TwoProcessOptions): Promise<AreaResult> {
  const tally = new Tally('two processes on one PostgreSQL', 'postgres');
  const opts = { config: { folders: { allowedRoots: [o.root] }, sync: { fetchConcurrency: 1 } }, env: { ...LEASE_ENV, KENDRITE_LEASE_SECONDS: '1' } };
  // Both processes up before the owner's sync starts (a process starting takes seconds, which a short
  // sync outlasts no more); the one that takes StartDataSourceSyncJob owns the job.
  let a = await TestServer.start(o.store, opts);
  const b = await TestServer.start(o.store, opts);
  const tables = await IndexTables.open(o.store);
  try {
    const ka = a.client();
    const indexId = await activeIndex(ka, 'two');
    await tally.attempt('the owner killed mid-sync: the other fails its job when the lease expires; the next sync is exact', async () => {
      // Ten times the files: the job's counts reach the store every 250 ms (jobRun's flush), and a
      // sync of o.files on an idle machine can end before its first flush, leaving no middle to kill in.
      const files = o.files * 10;
      const dir = folder(o.root, 'owner', files);
      const ds = await activeDataSource(ka, { IndexId: indexId, Name: 'owner', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      const { ExecutionId } = await ka.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      // Watched in the store (the API is too slow under load to see a short sync's middle).
      if (!(await waitForJob(tables, ExecutionId!, (j) => j.status === 'SYNCING' && j.added > 0))) return 'missed: the sync ended before its owner was killed';
      await a.kill();
      const at = await tables.job(ExecutionId!);
      if (at?.status !== 'SYNCING' || at.added >= files) return `missed: the owner was killed after its sync (${at?.status}, ${at?.added} added)`;
      const kb = b.client();
      const j = await jobReaching(kb, indexId, ds, ExecutionId!, TERMINAL, 60_000);
      if (j.Status !== 'FAILED' || j.ErrorCode !== 'InternalError') return `the orphaned job is ${j.Status} ${j.ErrorCode ?? ''}`;
      a = await TestServer.start(o.store, opts);
      const next = await kb.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const done = await jobReaching(kb, indexId, ds, next.ExecutionId!, TERMINAL, 300_000);
      if (done.Status !== 'SUCCEEDED') return `the next sync is ${done.Status}: ${done.ErrorMessage}`;
      return exact(tables, ds, Array.from({ length: files }, (_, i) => path.join(dir, `f${String(i).padStart(5, '0')}.txt`)));
    });
    await tally.attempt('a BatchPutDocument flood on both processes beside a live sync: the sync ends SUCCEEDED, exact', async () => {
      const dir = folder(o.root, 'flood', o.files);
      const k = a.client();
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'flood', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      let flooding = true;
      let acknowledged = 0;
      const flood = async (client: KendraClient, c: number) => {
        for (let batch = 0; flooding; batch++) {
          const Documents = Array.from({ length: 10 }, (_, i) => ({ Id: `flood-${c}-${batch}-${i}`, Blob: Buffer.from(`flood ${c} ${batch} ${i} `.repeat(50)), ContentType: 'PLAIN_TEXT' as const }));
          const r = await client.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }));
          if (r.FailedDocuments?.length) throw new Error(`put refused: ${JSON.stringify(r.FailedDocuments[0])}`);
          acknowledged += 10;
        }
      };
      const flooders = [flood(a.client(), 0), flood(a.client(), 1), flood(b.client(), 2), flood(b.client(), 3)];
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const job = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL, 300_000).finally(() => (flooding = false));
      await Promise.all(flooders);
      tally.note(`${acknowledged} documents put beside the ${o.files}-file sync`);
      if (job.Status !== 'SUCCEEDED') return `the sync is ${job.Status}: ${job.ErrorMessage ?? ''}`;
      const m = metrics(job);
      if (m.scanned !== String(o.files) || m.added !== String(o.files) || m.failed !== '0') return `metrics ${JSON.stringify(m)}`;
      return exact(tables, ds, Array.from({ length: o.files }, (_, i) => path.join(dir, `f${String(i).padStart(5, '0')}.txt`)));
    });
  } finally {
    await tables.close();
    await a.stop();
    await b.stop();
  }
  return tally.result;
}
