// PDF decompression bombs, caught before PDF.js sees the file. PDF.js inflates a stream whole into
// one ArrayBuffer (doubling it as it grows), outside the worker's V8 heap limit: a 3 MB file whose
// content stream inflates to 1 GB took the process past 3 GB. So every FlateDecode stream PDF.js may
// read for text is inflated here first, in small slices, counting what comes out and keeping none
// of it. Streams this scan cannot see (other filters, hidden names) are left to the pool's memory
// watchdog.
import { Unzlib } from 'fflate';
import { ExtractError, type Guard } from './text.js';

/** One decoded stream PDF.js holds whole: no page, font or object stream of a real file comes near. */
export const MAX_PDF_STREAM_BYTES = 64 * 1024 * 1024;
/** Files whose streams inflate to less than this in all are not held to the ratio. */
const RATIO_EXEMPT_BYTES = 16 * 1024 * 1024;
/** Compressed input per inflate step; deflate expands at most ~1032×, so one step yields ≤ 16 MB. */
const SLICE = 16 * 1024;
/** How far back from `stream` a dictionary's start is looked for. */
const MAX_DICT_BYTES = 64 * 1024;

const STREAM = Buffer.from('stream');
const ENDSTREAM = Buffer.from('endstream');

/**
 * Throws an ExtractError if a FlateDecode stream inflates past MAX_PDF_STREAM_BYTES, or all of them
 * together past `maxRatio` times the file's size. Images are skipped: text extraction never decodes them.
 */
export function checkPdfInflation(content: Uint8Array, maxRatio: number, guard: Guard): void {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const budget = Math.max(RATIO_EXEMPT_BYTES, maxRatio * bytes.length);
  let total = 0;
  let at = bytes.indexOf(STREAM);
  while (at >= 0) {
    guard.check();
    const stream = streamAt(bytes, at);
    if (stream) {
      const inflated = inflatedSize(bytes.subarray(stream.start, stream.end), guard, (produced) => {
        if (produced > MAX_PDF_STREAM_BYTES) {
          throw new ExtractError(`PDF bomb: a stream inflates beyond ${MAX_PDF_STREAM_BYTES} bytes`);
        }
        if (total + produced > budget) {
          throw new ExtractError(
            `PDF bomb: its streams inflate beyond ${budget} bytes, the maxDecompressionRatio of ${maxRatio} times the file's size`,
          );
        }
      });
      total += inflated;
      at = bytes.indexOf(STREAM, stream.end);
    } else {
      at = bytes.indexOf(STREAM, at + STREAM.length);
    }
  }
}

interface StreamData {
  start: number;
  end: number;
}

/** The data of a FlateDecode, non-image stream whose `stream` keyword is at `at`, if it is one. */
function streamAt(bytes: Buffer, at: number): StreamData | undefined {
  // The keyword ends its line (CRLF or LF; some writers use a bare CR).
  let start = at + STREAM.length;
  const cr = bytes[start] === 0x0d;
  if (cr) start++;
  if (bytes[start] === 0x0a) start++;
  else if (!cr) return undefined;
  let close = at - 1;
  while (close > 0 && isSpace(bytes[close]!)) close--;
  if (bytes[close] !== 0x3e || bytes[close - 1] !== 0x3e) return undefined; // no dictionary just before
  const open = dictionaryStart(bytes, close - 1);
  if (open === undefined) return undefined;
  // Names may spell characters as #xx ("/FlateDecod#65"); undone so they cannot hide a filter.
  const dict = bytes
    .toString('latin1', open, close + 1)
    .replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (/\/Subtype\s*\/Image\b/.test(dict)) return undefined;
  if (!/\/Filter\s*(?:\[\s*)?\/(?:FlateDecode|Fl)\b/.test(dict)) return undefined;
  // A direct /Length that ends at `endstream` is what PDF.js uses; otherwise it looks for `endstream`.
  const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  if (length) {
    const end = start + Number(length[1]);
    let k = end;
    while (k < bytes.length && isSpace(bytes[k]!)) k++;
    if (end <= bytes.length && bytes.subarray(k, k + ENDSTREAM.length).equals(ENDSTREAM)) return { start, end };
  }
  const end = bytes.indexOf(ENDSTREAM, start);
  return { start, end: end < 0 ? bytes.length : end };
}

/** The offset of the `<<` that the `>>` ending at `close` closes. */
function dictionaryStart(bytes: Buffer, close: number): number | undefined {
  let depth = 0;
  const stop = Math.max(0, close - MAX_DICT_BYTES);
  for (let i = close; i > stop; i--) {
    if (bytes[i] === 0x3e && bytes[i - 1] === 0x3e) {
      depth++;
      i--;
    } else if (bytes[i] === 0x3c && bytes[i - 1] === 0x3c) {
      depth--;
      i--;
      if (depth === 0) return i;
    }
  }
  return undefined;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;
}

/** Bytes the zlib data inflates to; `onProgress` sees the running count and may throw to stop. */
function inflatedSize(data: Uint8Array, guard: Guard, onProgress: (produced: number) => void): number {
  let produced = 0;
  const inflate = new Unzlib((chunk) => {
    produced += chunk.length;
    onProgress(produced);
  });
  try {
    for (let off = 0; off < data.length; off += SLICE) {
      guard.check();
      inflate.push(data.subarray(off, Math.min(off + SLICE, data.length)), false);
    }
  } catch (e) {
    if (e instanceof ExtractError) throw e;
    // Broken zlib data: PDF.js decides what to make of it; what came out so far is counted.
  }
  return produced;
}
