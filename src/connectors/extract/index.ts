// Text extraction for connectors and BatchPutDocument: bytes of a document in, its text (and
// title) out. Every failure, a malicious file included, is a value naming the reason; limits on
// input size, output size, decompression and time keep one document from hurting the process.
import { extractCsv } from './csv.js';
import { extractDocx } from './docx.js';
import { extractHtml } from './html.js';
import { extractJson } from './json.js';
import { extractMarkdown } from './markdown.js';
import { extractPdf } from './pdf.js';
import { extractPlain } from './plain.js';
import { extractPptx } from './pptx.js';
import { extractRtf } from './rtf.js';
import { ExtractError, Guard, TextSink } from './text.js';
import type { ContentType, Context, Extracted, ExtractLimits, Output } from './types.js';
import { extractXlsx } from './xlsx.js';
import { extractXml } from './xml.js';

export type { ContentType, Extracted, ExtractLimits } from './types.js';
export { detectContentType } from './detect.js';

export const DEFAULT_EXTRACT_LIMITS: Readonly<Required<ExtractLimits>> = Object.freeze({
  maxDocumentBytes: 50 * 1024 * 1024,
  maxTextBytes: 5 * 1024 * 1024,
  maxDecompressionRatio: 100,
  timeoutMs: 60_000,
});

/** Format names as people know them, for failure reasons ("corrupt DOCX: …"). */
const FORMAT_NAMES: Record<ContentType, string> = {
  PDF: 'PDF',
  HTML: 'HTML',
  MS_WORD: 'DOCX',
  PLAIN_TEXT: 'plain text',
  PPT: 'PPTX',
  RTF: 'RTF',
  XML: 'XML',
  XSLT: 'XSLT',
  MS_EXCEL: 'XLSX',
  CSV: 'CSV',
  JSON: 'JSON',
  MD: 'Markdown',
};

const EXTRACTORS: Record<ContentType, (content: Uint8Array, ctx: Context) => Output | Promise<Output>> = {
  PDF: (content, ctx) => extractPdf(content, ctx.limits.maxTextBytes, ctx.limits.timeoutMs, ctx.guard, ctx.signal),
  HTML: extractHtml,
  MS_WORD: extractDocx,
  PLAIN_TEXT: extractPlain,
  PPT: extractPptx,
  RTF: extractRtf,
  XML: extractXml,
  XSLT: extractXml,
  MS_EXCEL: extractXlsx,
  CSV: extractCsv,
  JSON: extractJson,
  MD: extractMarkdown,
};

/** Missing limits take their defaults; a time limit always applies, since PDF.js can loop. */
function resolveLimits(limits: Partial<ExtractLimits> | undefined): Required<ExtractLimits> {
  return {
    maxDocumentBytes: limits?.maxDocumentBytes ?? DEFAULT_EXTRACT_LIMITS.maxDocumentBytes,
    maxTextBytes: limits?.maxTextBytes ?? DEFAULT_EXTRACT_LIMITS.maxTextBytes,
    maxDecompressionRatio: limits?.maxDecompressionRatio ?? DEFAULT_EXTRACT_LIMITS.maxDecompressionRatio,
    timeoutMs: limits?.timeoutMs ?? DEFAULT_EXTRACT_LIMITS.timeoutMs,
  };
}

export async function extractText(
  content: Uint8Array,
  contentType: ContentType,
  limits?: Partial<ExtractLimits>,
  signal?: AbortSignal,
): Promise<Extracted> {
  if (!Object.hasOwn(EXTRACTORS, contentType)) {
    return { ok: false, reason: `unsupported content type: ${String(contentType)}` };
  }
  const l = resolveLimits(limits);
  if (signal?.aborted) return { ok: false, contentType, reason: 'aborted' };
  if (content.byteLength > l.maxDocumentBytes) {
    return {
      ok: false,
      contentType,
      reason: `document is ${content.byteLength} bytes, over the maxDocumentBytes limit of ${l.maxDocumentBytes} bytes`,
    };
  }
  const guard = new Guard(signal, l.timeoutMs);
  const ctx: Context = { limits: l, guard, signal, sink: () => new TextSink(l.maxTextBytes, guard) };
  try {
    const out = await EXTRACTORS[contentType](content, ctx);
    return out.title ? { ok: true, contentType, text: out.text, title: out.title } : { ok: true, contentType, text: out.text };
  } catch (e) {
    if (e instanceof ExtractError) return { ok: false, contentType, reason: e.message };
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, contentType, reason: `corrupt ${FORMAT_NAMES[contentType]}: ${message}` };
  }
}
