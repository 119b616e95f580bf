// RTF: the document's text without control words. A single pass over the bytes with a stack of
// group states; destinations that are not body text (font, colour and style tables, document info,
// pictures, anything marked \*) are skipped, except that \info's title becomes the title.
import { decodeWithLabel, ExtractError, type TextSink } from './text.js';
import type { Context, Output } from './types.js';

/** Destinations whose content is never body text. */
const SKIPPED = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'filetbl', 'revtbl', 'rsidtbl', 'listtable',
  'listoverridetable', 'latentstyles', 'datastore', 'themedata', 'colorschememapping', 'xmlnstbl', 'generator',
  'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl', 'footerr', 'footerf', 'fldinst', 'pntext',
  'pntxta', 'pntxtb', 'bkmkstart', 'bkmkend', 'xe', 'tc', 'nonshppict', 'blipuid', 'userprops', 'docvar',
]);

/** Control words that stand for a character. */
const CHARACTERS: Record<string, string> = {
  emdash: '\u2014', endash: '\u2013', bullet: '\u2022', lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201c',
  rdblquote: '\u201d', emspace: ' ', enspace: ' ', qmspace: ' ', tab: ' ', cell: ' ', nestcell: ' ',
};

/** Windows code pages as WHATWG encoding labels, for \ansicpg. */
const CODEPAGES: Record<number, string> = {
  437: 'ibm866', 850: 'windows-1252', 874: 'windows-874', 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr',
  950: 'big5', 10000: 'macintosh', 20127: 'us-ascii', 28591: 'iso-8859-1', 65001: 'utf-8',
};

interface Group {
  skip: boolean;
  /** How many fallback characters follow each \uN (\ucN). */
  uc: number;
  /** Collecting \info\title. */
  title: boolean;
}

class RtfReader {
  private readonly stack: Group[] = [];
  private group: Group = { skip: false, uc: 1, title: false };
  private codepage = 'windows-1252';
  /** Characters of the current run, flushed to the sink at each break. */
  private run = '';
  /** Bytes of \'hh escapes in a row, decoded together so double-byte code pages work. */
  private bytes: number[] = [];
  /** Fallback characters still to drop after a \uN. */
  private skipChars = 0;
  private pendingDestination = false;
  title = '';

  constructor(
    private readonly s: string,
    private readonly sink: TextSink,
    private readonly ctx: Context,
  ) {}

  read(): void {
    const s = this.s;
    const n = s.length;
    let i = 0;
    let steps = 0;
    while (i < n) {
      if (++steps === 65536) {
        steps = 0;
        this.ctx.guard.check();
      }
      const c = s.charCodeAt(i);
      if (c === 0x7b /* { */) {
        this.flushBytes();
        this.stack.push(this.group);
        this.group = { ...this.group };
        this.skipChars = 0;
        this.pendingDestination = true;
        i++;
      } else if (c === 0x7d /* } */) {
        this.flushBytes();
        this.group = this.stack.pop() ?? this.group;
        this.skipChars = 0;
        this.pendingDestination = false;
        i++;
      } else if (c === 0x5c /* \ */) {
        i = this.control(i + 1);
      } else if (c === 0x0d || c === 0x0a) {
        i++; // line breaks in the source mean nothing
      } else {
        this.pendingDestination = false;
        this.flushBytes();
        if (this.skipChars > 0) this.skipChars--;
        else this.text(s[i]!);
        i++;
      }
    }
    this.flushBytes();
    this.flushRun();
  }

  /** Reads a control word or symbol starting after the backslash at `i`; returns the next index. */
  private control(i: number): number {
    const s = this.s;
    const first = s.charCodeAt(i);
    const isLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (!isLetter(first)) {
      return this.symbol(s[i] ?? '', i + 1);
    }
    let j = i;
    while (j < s.length && isLetter(s.charCodeAt(j))) j++;
    const word = s.slice(i, j);
    const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
    let k = s[j] === '-' && isDigit(s.charCodeAt(j + 1)) ? j + 1 : j;
    while (k < s.length && isDigit(s.charCodeAt(k)) && k - j < 12) k++;
    const param = k > j ? Number(s.slice(j, k)) : undefined;
    const next = s[k] === ' ' ? k + 1 : k; // one space ends a control word and is part of it
    return this.word(word, param, next);
  }

  private symbol(ch: string, next: number): number {
    if (ch === "'") {
      const hex = this.s.slice(next, next + 2);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        this.pendingDestination = false;
        if (this.skipChars > 0) this.skipChars--;
        else if (!this.group.skip || this.group.title) this.bytes.push(parseInt(hex, 16));
        return next + 2;
      }
      return next;
    }
    if (ch === '*') {
      // An ignorable destination: readers that do not know it skip the whole group.
      if (this.pendingDestination) this.group.skip = true;
      return next;
    }
    this.pendingDestination = false;
    this.flushBytes();
    if (ch === '\\' || ch === '{' || ch === '}') this.text(ch);
    else if (ch === '~') this.text('\u00a0');
    else if (ch === '_') this.text('-');
    else if (ch === '\n' || ch === '\r') this.breakWith('paragraph'); // \<newline> is \par
    return next; // \- (optional hyphen), \| and others show nothing
  }

  private word(word: string, param: number | undefined, next: number): number {
    const wasDestination = this.pendingDestination;
    this.pendingDestination = false;
    if (word !== 'u') this.flushBytes();
    if (wasDestination && SKIPPED.has(word)) {
      this.group.skip = true;
      return next;
    }
    if (word === 'title' && wasDestination && this.group.skip) {
      this.group.title = true; // \info is skipped, but its title is wanted
      return next;
    }
    switch (word) {
      case 'bin': {
        // Raw binary data of `param` bytes follows.
        return next + Math.max(0, param ?? 0);
      }
      case 'ansicpg':
        if (param !== undefined) this.codepage = CODEPAGES[param] ?? `windows-${param}`;
        return next;
      case 'uc':
        this.group.uc = Math.max(0, param ?? 1);
        return next;
      case 'u': {
        if (param === undefined) return next;
        this.flushBytes();
        this.text(String.fromCharCode(param < 0 ? param + 65536 : param));
        this.skipChars = this.group.uc;
        return next;
      }
      case 'par':
      case 'sect':
      case 'page':
        this.breakWith('paragraph');
        return next;
      case 'line':
      case 'row':
        this.breakWith('line');
        return next;
      default: {
        const ch = CHARACTERS[word];
        if (ch !== undefined) this.text(ch);
        return next;
      }
    }
  }

  private text(t: string): void {
    if (this.group.title) this.title += t;
    else if (!this.group.skip) this.run += t;
  }

  private breakWith(kind: 'paragraph' | 'line'): void {
    if (this.group.skip) return;
    this.flushRun();
    if (kind === 'paragraph') this.sink.paragraph();
    else this.sink.lineBreak();
  }

  private flushBytes(): void {
    if (this.bytes.length === 0) return;
    const bytes = Uint8Array.from(this.bytes);
    this.bytes = [];
    this.text(decodeWithLabel(bytes, this.codepage) ?? decodeWithLabel(bytes, 'windows-1252')!);
  }

  private flushRun(): void {
    if (this.run) this.sink.inline(this.run);
    this.run = '';
  }
}

export function extractRtf(content: Uint8Array, ctx: Context): Output {
  // RTF is 7-bit; every byte above is written as \'hh, so Latin-1 maps bytes to characters 1:1.
  const s = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1');
  if (!/^\s*\{\\rtf/.test(s.slice(0, 64))) throw new ExtractError('corrupt RTF: no {\\rtf header');
  const sink = ctx.sink();
  const reader = new RtfReader(s, sink, ctx);
  reader.read();
  const title = reader.title.replace(/\s+/g, ' ').trim();
  return { text: sink.toString(), title: title || undefined };
}
