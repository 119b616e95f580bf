// CSV (RFC 4180): cell values, one line per record, cells separated by spaces. Quoted fields may
// hold delimiters, doubled quotes and line breaks. The delimiter is whichever of , ; or tab the
// first record uses most, since "CSV" files from spreadsheets in many locales use ; or tabs.
import { decodeText } from './text.js';
import type { Context, Output } from './types.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;

function detectDelimiter(s: string): number {
  const counts = new Map<number, number>([[44, 0], [59, 0], [9, 0]]); // , ; tab
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = 44;
  for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
  return best;
}

export function extractCsv(content: Uint8Array, ctx: Context): Output {
  const s = decodeText(content, { format: 'CSV' });
  const sink = ctx.sink();
  const delimiter = detectDelimiter(s);
  let i = 0;
  const n = s.length;
  while (i < n) {
    let field: string;
    if (s.charCodeAt(i) === QUOTE) {
      // Quoted: runs to the next quote not doubled; an unterminated one runs to the end.
      let out = '';
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q === -1) {
          out += s.slice(j);
          i = n;
          break;
        }
        out += s.slice(j, q);
        if (s.charCodeAt(q + 1) === QUOTE) {
          out += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the delimiter is kept, as spreadsheets do.
      let k = i;
      while (k < n && s.charCodeAt(k) !== delimiter && s.charCodeAt(k) !== LF && s.charCodeAt(k) !== CR) k++;
      field = out + s.slice(i, k);
      i = k;
    } else {
      let k = i;
      while (k < n && s.charCodeAt(k) !== delimiter && s.charCodeAt(k) !== LF && s.charCodeAt(k) !== CR) k++;
      field = s.slice(i, k);
      i = k;
    }
    sink.inline(field);
    sink.space();
    if (i >= n) break;
    const c = s.charCodeAt(i);
    if (c === delimiter) i++;
    else {
      i += c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
      sink.lineBreak();
    }
  }
  return { text: sink.toString() };
}
