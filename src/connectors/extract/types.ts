import type { Guard, TextSink } from './text.js';

/** Kendra's ContentType enum. */
export type ContentType =
  | 'PDF'
  | 'HTML'
  | 'MS_WORD'
  | 'PLAIN_TEXT'
  | 'PPT'
  | 'RTF'
  | 'XML'
  | 'XSLT'
  | 'MS_EXCEL'
  | 'CSV'
  | 'JSON'
  | 'MD';

export interface ExtractLimits {
  /** Largest document accepted, checked before any parsing. */
  maxDocumentBytes: number;
  /** Largest extracted text, in UTF-8 bytes; extraction stops as soon as it is passed. */
  maxTextBytes: number;
  /** Largest uncompressed/compressed ratio of a zip entry (docx, pptx, xlsx). */
  maxDecompressionRatio: number;
  /** Longest time one extraction may take. */
  timeoutMs?: number;
  /** Extractions in worker threads are stopped when the process's resident memory passes this. */
  maxRssBytes?: number;
}

export type Extracted =
  | { ok: true; contentType: ContentType; text: string; title?: string }
  | { ok: false; contentType?: ContentType; reason: string };

/** What a format's extractor produces; failures are thrown as ExtractError and become values in index.ts. */
export interface Output {
  text: string;
  title?: string;
}

export interface Context {
  limits: Required<ExtractLimits>;
  guard: Guard;
  /** A fresh sink bound to the text limit and the guard. */
  sink(): TextSink;
}
