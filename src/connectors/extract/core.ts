// One extraction, start to end, in whichever thread runs it: the format's extractor under the
// limits, every failure turned into a value.
import { extractCsv } from './csv.js';
import { extractDocx } from './docx.js';
import { extractHtml } from './html.js';
import { extractJson } from './json.js';
import { extractMarkdown } from './markdown.js';
import { extractPlain } from './plain.js';
import { extractPptx } from './pptx.js';
import { extractRtf } from './rtf.js';
import { ExtractError, Guard, TextSink } from './text.js';
import type { ContentType, Context, Extracted, ExtractLimits, Output } from './types.js';
import { extractXlsx } from './xlsx.js';
import { extractXml } from './xml.js';

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
  // PDF.js is big: loaded only where a PDF is read (the extraction worker).
  PDF: async (content, ctx) => (await import('./pdf.js')).extractPdf(content, ctx),
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

/** Titles are labels: a longer "title" is a broken document, not a reason to carry megabytes. */
const MAX_TITLE_LENGTH = 1024;

/** The first line of an error's message: libraries append advice ("Please report this to …"). */
export function failureReason(contentType: ContentType, e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
  return `corrupt ${FORMAT_NAMES[contentType]}: ${message}`;
}

export async function extractDirect(
  content: Uint8Array,
  contentType: ContentType,
  limits: Required<ExtractLimits>,
  signal?: AbortSignal,
): Promise<Extracted> {
  const guard = new Guard(signal, limits.timeoutMs);
  const ctx: Context = { limits, guard, sink: () => new TextSink(limits.maxTextBytes, guard) };
  try {
    const out = await EXTRACTORS[contentType](content, ctx);
    let title = out.title;
    if (title && title.length > MAX_TITLE_LENGTH) title = [...title].slice(0, MAX_TITLE_LENGTH).join('').trim();
    return title ? { ok: true, contentType, text: out.text, title } : { ok: true, contentType, text: out.text };
  } catch (e) {
    if (e instanceof ExtractError) return { ok: false, contentType, reason: e.message };
    return { ok: false, contentType, reason: failureReason(contentType, e) };
  }
}
