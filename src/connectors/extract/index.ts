// Text extraction for connectors and BatchPutDocument: bytes of a document in, its text (and
// title) out. Every failure, a malicious file included, is a value naming the reason; limits on
// input size, output size, decompression and time keep one document from hurting the process.
import { extractDirect, failureReason } from './core.js';
import { runInWorker } from './pool.js';
import { ExtractError } from './text.js';
import type { ContentType, Extracted, ExtractLimits } from './types.js';

export type { ContentType, Extracted, ExtractLimits } from './types.js';
export { detectContentType } from './detect.js';

export const DEFAULT_EXTRACT_LIMITS: Readonly<Required<ExtractLimits>> = Object.freeze({
  maxDocumentBytes: 50 * 1024 * 1024,
  maxTextBytes: 5 * 1024 * 1024,
  maxDecompressionRatio: 100,
  timeoutMs: 60_000,
  maxRssBytes: 768 * 1024 * 1024,
});

/**
 * Documents up to this size are extracted on the calling thread: even the worst of them parse in
 * well under a second, and a worker round trip would cost more than the parsing. Bigger ones, and
 * every PDF, go to a worker thread.
 */
const INLINE_MAX_BYTES = 64 * 1024;

const CONTENT_TYPES = new Set<string>([
  'PDF', 'HTML', 'MS_WORD', 'PLAIN_TEXT', 'PPT', 'RTF', 'XML', 'XSLT', 'MS_EXCEL', 'CSV', 'JSON', 'MD',
]);

/** Missing limits take their defaults; a time limit always applies, since PDF.js can loop. */
function resolveLimits(limits: Partial<ExtractLimits> | undefined): Required<ExtractLimits> {
  return {
    maxDocumentBytes: limits?.maxDocumentBytes ?? DEFAULT_EXTRACT_LIMITS.maxDocumentBytes,
    maxTextBytes: limits?.maxTextBytes ?? DEFAULT_EXTRACT_LIMITS.maxTextBytes,
    maxDecompressionRatio: limits?.maxDecompressionRatio ?? DEFAULT_EXTRACT_LIMITS.maxDecompressionRatio,
    timeoutMs: limits?.timeoutMs ?? DEFAULT_EXTRACT_LIMITS.timeoutMs,
    maxRssBytes: limits?.maxRssBytes ?? DEFAULT_EXTRACT_LIMITS.maxRssBytes,
  };
}

export async function extractText(
  content: Uint8Array,
  contentType: ContentType,
  limits?: Partial<ExtractLimits>,
  signal?: AbortSignal,
): Promise<Extracted> {
  if (!CONTENT_TYPES.has(contentType)) return { ok: false, reason: `unsupported content type: ${String(contentType)}` };
  const l = resolveLimits(limits);
  if (signal?.aborted) return { ok: false, contentType, reason: 'aborted' };
  if (content.byteLength > l.maxDocumentBytes) {
    return {
      ok: false,
      contentType,
      reason: `document is ${content.byteLength} bytes, over the maxDocumentBytes limit of ${l.maxDocumentBytes} bytes`,
    };
  }
  if (contentType !== 'PDF' && content.byteLength <= INLINE_MAX_BYTES) {
    return extractDirect(content, contentType, l, signal);
  }
  // A copy the worker can own; the caller keeps its bytes. (Not content.slice(): on a Buffer that
  // is a view, and transferring its buffer would detach Node's shared Buffer pool.)
  const copy = new Uint8Array(content.byteLength);
  copy.set(content);
  try {
    return await runInWorker({ content: copy, contentType, limits: l }, signal);
  } catch (e) {
    if (e instanceof ExtractError) return { ok: false, contentType, reason: e.message };
    return { ok: false, contentType, reason: failureReason(contentType, e) };
  }
}
