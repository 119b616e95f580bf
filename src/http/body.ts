import type { IncomingMessage } from 'node:http';
import { KendraError } from '../protocol/errors.js';

/** Reads the whole body, refusing (without reading further) one over `limit` bytes (P-4). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function tooLarge(limit: number): KendraError {
  return new KendraError('RequestEntityTooLargeException', `Request body is larger than the limit of ${limit} bytes.`);
}
