// One connector sync driven through the API and measured from outside: the scenarios of sources
// (folders, database tables) share it, so each judges the same figures the same way.
import {
  ListDataSourceSyncJobsCommand,
  StartDataSourceSyncJobCommand,
  type DataSourceSyncJob,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { cpuTimeMs, memoryMb, until } from './processes.js';

export interface Rate {
  /** Items (files, rows, documents) per second of wall-clock time. */
  perSec: number;
  /** CPU time (user + system) per item, in µs: what the work costs, whatever else the machine runs. */
  cpuUs: number;
}

export interface SyncTarget {
  client: KendraClient;
  indexId: string;
  dataSourceId: string;
  /** The kendrite process, whose CPU time and RSS are read from /proc. */
  pid: number;
  /** How many items the source holds, and their name in error lines ("files", "rows"). */
  items: number;
  unit: string;
  /** RSS sample interval while the job runs, in ms. */
  sampleMs: number;
  /** Every RSS sample is appended here too (a scenario's figures over all its syncs). */
  samples?: number[];
}

/**
 * Starts a sync and waits for its end; checks its metrics exactly (scanned = every item, the rest 0
 * unless `expected` says) and its status, appending what differs to `errors`. The rate is over the
 * job's own StartTime..EndTime; the CPU is the server's meanwhile; rssMb its highest sample.
 */
export async function measuredSync(t: SyncTarget, label: string, expected: Record<string, number>, errors: string[]): Promise<Rate & { seconds: number; rssMb: number }> {
  const rss: number[] = [];
  const cpu0 = cpuTimeMs(t.pid);
  const { ExecutionId } = await t.client.send(new StartDataSourceSyncJobCommand({ IndexId: t.indexId, Id: t.dataSourceId }));
  let job: DataSourceSyncJob | undefined;
  await until(async () => {
    const sample = memoryMb(t.pid, 'VmRSS');
    rss.push(sample);
    t.samples?.push(sample);
    job = (await t.client.send(new ListDataSourceSyncJobsCommand({ IndexId: t.indexId, Id: t.dataSourceId }))).History!.find((j) => j.ExecutionId === ExecutionId);
    return job !== undefined && job.EndTime !== undefined;
  }, t.sampleMs);
  const cpuMs = cpuTimeMs(t.pid) - cpu0;
  const got = job!.Metrics!;
  const want = { DocumentsScanned: t.items, DocumentsAdded: 0, DocumentsModified: 0, DocumentsDeleted: 0, DocumentsFailed: 0, ...expected };
  for (const [key, v] of Object.entries(want))
    if (Number(got[key as keyof typeof got]) !== v) errors.push(`${t.items} ${t.unit}, ${label}: ${key} is ${got[key as keyof typeof got]}, expected ${v}`);
  if (job!.Status !== 'SUCCEEDED') errors.push(`${t.items} ${t.unit}, ${label}: ${job!.Status} ${job!.ErrorMessage ?? ''}`);
  const seconds = (job!.EndTime!.getTime() - job!.StartTime!.getTime()) / 1000;
  return { seconds, perSec: t.items / seconds, cpuUs: (cpuMs * 1000) / t.items, rssMb: Math.max(...rss) };
}
