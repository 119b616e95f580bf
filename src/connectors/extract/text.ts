// Shared machinery of the extractors: the normalising text sink that enforces the text limit,
// the guard that enforces abort and timeout, and byte-to-string decoding with binary detection.

/**
 * A failure whose message is already the final, user-facing reason. Thrown inside extractors (often
 * from deep in a parser callback, which is the only way to stop a parser early) and turned into a
 * `{ ok: false }` value at the API edge; any other exception becomes "corrupt <FORMAT>: …".
 */
export class ExtractError extends Error {
  override name = 'ExtractError';
}

/** Abort and deadline checks. Parsers are synchronous, so the deadline is polled, not awaited. */
export class Guard {
  private readonly deadline: number;

  constructor(
    private readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
  ) {
    this.deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  }

  check(): void {
    if (this.signal?.aborted) throw new ExtractError('aborted');
    if (Date.now() >= this.deadline) throw new ExtractError(`timed out after ${this.timeoutMs} ms`);
  }
}

/**
 * Lets pending events (an abort, a timer) run between the parts of a long extraction: parsers are
 * synchronous, so an AbortSignal can only change state between them.
 */
export function nextTurn(guard: Guard): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => guard.check());
}

const enum Break {
  None = 0,
  Space = 1,
  Line = 2,
  Paragraph = 3,
}
const SEPARATOR = ['', ' ', '\n', '\n\n'] as const;

/** Polling Date.now() per word would cost more than the parsing; every few hundred words is enough. */
const CHECK_EVERY = 256;

/**
 * Collects extracted text already normalised (runs of whitespace collapsed, at most one blank line
 * between paragraphs, no leading or trailing whitespace) and stops the extraction as soon as the
 * UTF-8 size passes the limit, so a huge document never becomes a huge string first.
 *
 * Separators are only pending until the next word: a break requested at the start or the end
 * of the text is never written, which is what trims it.
 */
export class TextSink {
  private readonly parts: string[] = [];
  private bytes = 0;
  private pending = Break.None;
  private newlines = 0;
  private sinceCheck = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly guard?: Guard,
  ) {}

  /** Text in which every whitespace, newlines included, is just a word separator (HTML, XML). */
  inline(s: string): void {
    if (s.length === 0) return;
    // Soft hyphens are invisible and would split the word for search.
    const t = collapsed(s.includes('\u00ad') ? s.replace(/\u00ad/g, '') : s);
    let start = 0;
    let end = t.length;
    if (t.charCodeAt(0) === 32) {
      this.space();
      start = 1;
    }
    if (end > start && t.charCodeAt(end - 1) === 32) end--;
    if (end > start) this.word(t.slice(start, end));
    if (end < t.length) this.space();
  }

  /** Text whose line breaks mean something: one newline breaks a line, a blank line a paragraph. */
  lines(s: string): void {
    const lines = s.split(/\r\n?|[\n\f\v\u2028\u2029]/);
    for (let i = 0; i < lines.length; i++) {
      if (i > 0) {
        this.newlines++;
        this.raise(this.newlines >= 2 ? Break.Paragraph : Break.Line);
      }
      this.inline(lines[i]!);
    }
  }

  space(): void {
    this.raise(Break.Space);
  }

  lineBreak(): void {
    this.raise(Break.Line);
  }

  paragraph(): void {
    this.raise(Break.Paragraph);
  }

  toString(): string {
    return this.parts.join('');
  }

  private raise(b: Break): void {
    if (b > this.pending) this.pending = b;
  }

  /** `w` has no leading or trailing whitespace. */
  private word(w: string): void {
    if (this.parts.length > 0 && this.pending !== Break.None) {
      this.parts.push(SEPARATOR[this.pending]);
      this.bytes += this.pending === Break.Paragraph ? 2 : 1;
    }
    this.pending = Break.None;
    this.newlines = 0;
    this.parts.push(w);
    this.bytes += Buffer.byteLength(w, 'utf8');
    if (this.bytes > this.maxBytes) {
      throw new ExtractError(`extracted text exceeds the maxTextBytes limit of ${this.maxBytes} bytes`);
    }
    if (++this.sinceCheck >= CHECK_EVERY) {
      this.sinceCheck = 0;
      this.guard?.check();
    }
  }
}

/** Whitespace other than the space itself (`\s` but U+0020). */
const OTHER_WHITESPACE = /[^\S ]/;

/**
 * Every run of whitespace in `s` made one space. Most text needs nothing done (spaces between its words, one
 * each: a line of plain text): the two tests that say so cost a sixth of the replacing, which copies the text.
 */
function collapsed(s: string): string {
  return OTHER_WHITESPACE.test(s) || s.includes('  ') ? s.replace(/\s+/g, ' ') : s;
}

function hasNul(bytes: Uint8Array): boolean {
  return bytes.indexOf(0) !== -1;
}

/** C0 controls other than tab, newlines, form feed and escape are rare in text and common in binary. */
const CONTROLS = /[\x00-\x08\x0e-\x1a\x1c-\x1f]/g;
/** How much of a text looksBinary reads. */
const SNIFF_CHARS = 65536;

/**
 * More than 8 controls, and more than one in a hundred characters, among the first SNIFF_CHARS. Found by a
 * regular expression (several times a loop's speed): most text has none, and one scan says so.
 */
function looksBinary(s: string): boolean {
  const n = Math.min(s.length, SNIFF_CHARS);
  const head = n < s.length ? s.slice(0, n) : s;
  CONTROLS.lastIndex = 0;
  let controls = 0;
  while (CONTROLS.exec(head)) if (++controls > 8 && controls * 100 > n) return true;
  return false;
}

/**
 * Windows-1252 bytes 0x80–0x9F. Node 20's TextDecoder('windows-1252') decodes them as Latin-1 C1
 * controls (quotes, dashes and € would be lost), so the whole encoding is done here.
 */
const CP1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]!);
}

/** Decodes with an encoding named by a document; undefined when the label is unknown. */
export function decodeWithLabel(bytes: Uint8Array, label: string): string | undefined {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label);
  } catch {
    return undefined;
  }
  return decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
}

/** One decoder for every call: a whole-input decode keeps no state, and making one cost more than decoding a short text. */
const UTF8_FATAL = new TextDecoder('utf-8', { fatal: true });

interface DecodeOptions {
  /** An encoding declared by the document itself (meta charset, XML declaration). */
  declared?: string;
  /** Invalid UTF-8 is an error (XML) instead of a reason to read the bytes as Windows-1252. */
  strictUtf8?: boolean;
  /** The format's name, for the error message. */
  format: string;
}

/**
 * Bytes to string: a BOM wins, then a declared encoding, then UTF-8. Text without a BOM that is
 * not valid UTF-8 is most likely a legacy Windows file, so it is read as Windows-1252 rather than
 * rejected. Content with NUL bytes (outside UTF-16) or many control characters is binary.
 */
export function decodeText(bytes: Uint8Array, opts: DecodeOptions): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  }
  if (opts.declared === 'utf-16le' || opts.declared === 'utf-16be') return new TextDecoder(opts.declared).decode(bytes);
  if (hasNul(bytes)) {
    throw new ExtractError(`binary content, not ${opts.format} text (contains NUL bytes)`);
  }
  const declared = opts.declared && !/^utf-?8$/i.test(opts.declared) ? decodeWithLabel(bytes, opts.declared) : undefined;
  let s: string;
  if (declared !== undefined) {
    s = declared;
  } else {
    try {
      s = UTF8_FATAL.decode(bytes); // strips a UTF-8 BOM
    } catch {
      if (opts.strictUtf8) throw new ExtractError(`malformed ${opts.format}: invalid UTF-8`);
      s = decodeWindows1252(bytes);
    }
  }
  if (looksBinary(s)) {
    throw new ExtractError(`binary content, not ${opts.format} text (control characters)`);
  }
  return s;
}
