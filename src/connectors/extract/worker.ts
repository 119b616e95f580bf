// The extraction worker's entry: runs one extraction per message and replies with the result.
import { parentPort } from 'node:worker_threads';
import { extractDirect } from './core.js';
import type { ContentType, Extracted, ExtractLimits } from './types.js';

export interface WorkerRequest {
  content: Uint8Array;
  contentType: ContentType;
  limits: Required<ExtractLimits>;
}
export type WorkerReply = Extracted;

// PDF.js reports what it tolerates in broken files on the console; those are not our logs. (Piping
// the worker's stdout away instead would keep the parent's event loop alive.)
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) console[level] = () => undefined;

parentPort?.on('message', (req: WorkerRequest) => {
  void extractDirect(req.content, req.contentType, req.limits).then((reply: WorkerReply) => parentPort!.postMessage(reply));
});
