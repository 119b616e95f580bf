// How `kendrite sync --wait` shows a running job: a live bar (cli-progress) on a terminal, plain lines
// (one per change) when the output is a file or a pipe, so that CI logs stay readable.
import { SingleBar } from 'cli-progress';

export interface JobView {
  ExecutionId: string;
  Status: string;
  StartTime?: number;
  EndTime?: number;
  ErrorCode?: string;
  DataSourceErrorCode?: string;
  ErrorMessage?: string;
  DocumentsExpected?: number;
  Metrics?: { DocumentsAdded?: string; DocumentsModified?: string; DocumentsDeleted?: string; DocumentsFailed?: string; DocumentsScanned?: string };
}

export interface Counts {
  scanned: number;
  added: number;
  modified: number;
  deleted: number;
  failed: number;
}

export function countsOf(job: JobView): Counts {
  const m = job.Metrics ?? {};
  return {
    scanned: Number(m.DocumentsScanned ?? 0),
    added: Number(m.DocumentsAdded ?? 0),
    modified: Number(m.DocumentsModified ?? 0),
    deleted: Number(m.DocumentsDeleted ?? 0),
    failed: Number(m.DocumentsFailed ?? 0),
  };
}

/** Documents scanned per second over the last RATE_WINDOW_MS (a steady figure that still follows changes of pace). */
const RATE_WINDOW_MS = 10_000;

export class RateMeter {
  private readonly samples: [at: number, scanned: number][] = [];

  add(at: number, scanned: number): number | undefined {
    this.samples.push([at, scanned]);
    while (this.samples.length > 2 && at - this.samples[0]![0] > RATE_WINDOW_MS) this.samples.shift();
    const [t0, s0] = this.samples[0]!;
    return at > t0 ? ((scanned - s0) * 1000) / (at - t0) : undefined;
  }
}

const describe = (c: Counts) => `scanned ${c.scanned}, added ${c.added}, modified ${c.modified}, deleted ${c.deleted}, failed ${c.failed}`;
const seconds = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`);

/** What every display of a running job offers. */
export interface Progress {
  update(job: JobView, now: number): void;
  /** The job has ended: the display's last words. */
  end(job: JobView): void;
  interrupt?(): void;
}

/** One line per change (status or counts), for output that is not a terminal. */
export class LineProgress implements Progress {
  private last = '';
  private readonly rate = new RateMeter();

  constructor(private readonly write: (s: string) => void) {}

  update(job: JobView, now: number): void {
    const c = countsOf(job);
    const rate = this.rate.add(now, c.scanned);
    const key = `${job.Status} ${describe(c)} ${job.DocumentsExpected ?? ''}`;
    if (key === this.last) return;
    this.last = key;
    const total = job.DocumentsExpected === undefined ? '' : ` of ${job.DocumentsExpected} expected`;
    this.write(`${job.Status} ${describe(c)}${total}${rate === undefined ? '' : ` (${rate.toFixed(1)}/s)`}\n`);
  }

  end(job: JobView): void {
    this.write(endLine(job));
  }
}

/** A live bar: scanned of expected (when the connector knows it) with rate and ETA, and the other counts. */
export class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private readonly rate = new RateMeter();
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new SingleBar({
      stream,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      format: (options, params, payload: { status: string; counts: Counts; rate?: number; known: boolean }) => {
        const c = payload.counts;
        const rate = payload.rate === undefined ? '-' : payload.rate.toFixed(1);
        const tail = `+${c.added} ~${c.modified} -${c.deleted} !${c.failed} | ${rate}/s`;
        if (!payload.known) return `${payload.status.padEnd(16)} scanned ${c.scanned} (total not known yet) | ${tail}`;
        const width = options.barsize ?? 30;
        const done = Math.round(params.progress * width);
        const bar = (options.barCompleteChar ?? '█').repeat(done) + (options.barIncompleteChar ?? '░').repeat(width - done);
        const eta = Number.isFinite(params.eta) && params.eta > 0 && params.value < params.total ? ` | ETA ${seconds(params.eta * 1000)}` : '';
        return `${payload.status.padEnd(16)} ${bar} ${Math.floor(params.progress * 100)}% | ${c.scanned}/${params.total} scanned | ${tail}${eta}`;
      },
    });
  }

  update(job: JobView, now: number): void {
    const counts = countsOf(job);
    const known = job.DocumentsExpected !== undefined;
    const total = Math.max(known ? job.DocumentsExpected! : 0, counts.scanned, 1);
    const payload = { status: job.Status, counts, rate: this.rate.add(now, counts.scanned), known };
    if (!this.started) {
      this.bar.start(total, counts.scanned, payload);
      this.started = true;
    } else {
      this.bar.setTotal(total);
      this.bar.update(counts.scanned, payload);
    }
  }

  /** Ctrl-C: the bar gives the terminal back (its cursor too) before the process exits. */
  interrupt(): void {
    if (this.started) this.bar.stop();
  }

  end(job: JobView): void {
    if (this.started) {
      this.update(job, Date.now());
      this.bar.stop();
    }
    process.stdout.write(endLine(job));
  }
}

export function endLine(job: JobView): string {
  const took = job.StartTime !== undefined && job.EndTime !== undefined ? ` in ${seconds((job.EndTime - job.StartTime) * 1000)}` : '';
  const error = job.ErrorMessage ? `\n${[job.ErrorCode, job.DataSourceErrorCode].filter(Boolean).join(' ')}: ${job.ErrorMessage}` : '';
  return `${job.ExecutionId} ${job.Status}${took}: ${describe(countsOf(job))}${error}\n`;
}
