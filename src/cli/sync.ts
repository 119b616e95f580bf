// `kendrite sync` (start a sync; with --wait, follow it to its end) and `kendrite jobs --watch`.
import { call } from './client.js';
import { BarProgress, LineProgress, type JobView, type Progress } from './progress.js';

/** How `sync --wait` exits: 0 only when the job SUCCEEDED, so that scripts and CI can rely on it. */
export const EXIT_CODES: Record<string, number> = { SUCCEEDED: 0, FAILED: 3, INCOMPLETE: 4, ABORTED: 5 };
const TERMINAL = new Set(Object.keys(EXIT_CODES));

export async function startSync(endpoint: string, indexId: string, dataSourceId: string, opts: { wait: boolean; intervalMs: number }): Promise<number> {
  const started = await call(endpoint, 'AWSKendraFrontendService.StartDataSourceSyncJob', { IndexId: indexId, Id: dataSourceId });
  const executionId = started.ExecutionId as string;
  if (!opts.wait) {
    process.stdout.write(`${executionId}\n`);
    return 0;
  }
  const progress: Progress = process.stdout.isTTY ? new BarProgress(process.stdout) : new LineProgress((s) => process.stdout.write(s));
  if (!process.stdout.isTTY) process.stdout.write(`${executionId} started\n`);
  // Ctrl-C stops the watching, not the sync.
  process.once('SIGINT', () => {
    progress.interrupt?.();
    process.stdout.write(`\nstopped watching; the sync goes on (kendrite jobs ${indexId} ${dataSourceId} --watch)\n`);
    process.exit(130);
  });
  for (;;) {
    const job = (await call(endpoint, 'KendriteService.DescribeSyncJob', { ExecutionId: executionId })).Job as JobView;
    if (TERMINAL.has(job.Status)) {
      progress.end(job);
      if (job.Status === 'INCOMPLETE') process.stdout.write(`the failed documents and why: kendrite report ${executionId} --action FAILED\n`);
      return EXIT_CODES[job.Status]!;
    }
    progress.update(job, Date.now());
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}

export interface JobsQuery {
  indexId: string;
  dataSourceId: string;
  status?: string;
  limit: number;
}

function pad(cols: unknown[]): string {
  return cols.map((c, i) => String(c ?? '-').padEnd(i === 0 ? 37 : i === 1 ? 17 : i < 4 ? 25 : 9)).join('').trimEnd();
}

export const JOBS_HEADER = pad(['EXECUTION ID', 'STATUS', 'START', 'END', 'ADDED', 'MODIFIED', 'DELETED', 'FAILED', 'SCANNED']);

/** The newest `limit` jobs of a data source, page by page, newest first: each job's line (and its error's). */
export async function jobRows(endpoint: string, q: JobsQuery): Promise<string[]> {
  const rows: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call(endpoint, 'AWSKendraFrontendService.ListDataSourceSyncJobs', {
      IndexId: q.indexId, Id: q.dataSourceId, StatusFilter: q.status, MaxResults: Math.min(10, q.limit - rows.length), NextToken,
    });
    for (const j of page.History as Record<string, any>[]) {
      const m = j.Metrics ?? {};
      const line = pad([j.ExecutionId, j.Status, iso(j.StartTime), iso(j.EndTime), m.DocumentsAdded, m.DocumentsModified, m.DocumentsDeleted, m.DocumentsFailed, m.DocumentsScanned ?? '-']);
      rows.push(j.ErrorMessage ? `${line}\n    ${j.ErrorCode ?? ''} ${j.DataSourceErrorCode ?? ''} ${j.ErrorMessage}` : line);
    }
    NextToken = page.NextToken as string | undefined;
  } while (NextToken && rows.length < q.limit);
  return rows;
}

/**
 * `jobs --watch`: the table again every interval, until interrupted. On a terminal it is redrawn in
 * place; otherwise only what changed is printed (the header once, then a job's line whenever it
 * changes, oldest first), so that a log reads as the jobs' story.
 */
export async function watchJobs(endpoint: string, q: JobsQuery, intervalMs: number): Promise<never> {
  const printed = new Set<string>();
  if (!process.stdout.isTTY) process.stdout.write(`${JOBS_HEADER}\n`);
  for (;;) {
    const rows = await jobRows(endpoint, q);
    if (process.stdout.isTTY) process.stdout.write(`\x1b[H\x1b[2J${[JOBS_HEADER, ...rows].join('\n')}\n\n(every ${intervalMs / 1000}s; Ctrl-C to stop)\n`);
    else
      for (const row of rows.reverse()) {
        if (printed.has(row)) continue;
        printed.add(row);
        process.stdout.write(`${row}\n`);
      }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const iso = (t: unknown) => (typeof t === 'number' ? new Date(t * 1000).toISOString() : '-');
