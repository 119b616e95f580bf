// The main thread's end of the folder walk (src/connectors/folderWalk.ts): starts the worker, hands out
// its batches one at a time (releasing the worker's next one), and stops it when the sync stops.
import { Worker } from 'node:worker_threads';
import { SourceError } from './contract.js';
import type { WalkBatch, WalkInput, WalkMessage } from './folderWalk.js';

export class WalkThread {
  private readonly worker: Worker;
  private readonly inFlight: Int32Array;
  private readonly queue: WalkBatch[] = [];
  private done = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(input: WalkInput, signal: AbortSignal) {
    this.inFlight = new Int32Array(input.inFlight);
    this.worker = new Worker(new URL('./folderWalk.js', import.meta.url), { workerData: { folderWalk: input } });
    this.worker.on('message', (m: WalkMessage) => {
      if ('batch' in m) this.queue.push(m.batch);
      else this.done = true;
      this.notify();
    });
    this.worker.on('error', (e) => {
      this.error = new SourceError(`the folder walk failed: ${e.message}`, undefined, 'internal');
      this.notify();
    });
    this.worker.on('exit', () => {
      if (!this.done) this.error ??= new SourceError('the folder walk ended early', undefined, 'internal');
      this.notify();
    });
    signal.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** The next batch, or undefined once the walk is complete. */
  async next(): Promise<WalkBatch | undefined> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        Atomics.sub(this.inFlight, 0, 1);
        Atomics.notify(this.inFlight, 0);
        return batch;
      }
      if (this.done) return undefined;
      if (this.error) throw this.error;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  stop(): void {
    this.done = true;
    void this.worker.terminate();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
