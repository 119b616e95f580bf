export interface Token {
  /** Lower-cased text of the token. */
  text: string;
  begin: number;
  end: number;
}

/** Scripts written without spaces between words: a run of them is cut into words by a dictionary. */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;
/** ICU's word break iterator (dictionaries for Chinese, Japanese, Thai, Lao, Khmer, Burmese), built into Node. */
const WORDS = new Intl.Segmenter('und', { granularity: 'word' });

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** Whether `text` holds words that only a dictionary can cut: the cheap test that spares spaced text the segmenter. */
export const needsSegmenting = (text: string): boolean => UNSPACED.test(text);

/** Any character outside ASCII: text without one takes the fast paths below. */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Word tokens as SQLite's unicode61 tokenizer cuts them: runs of letters, digits and marks; all
 * else separates. A run holding Chinese, Japanese, Thai (…) text is cut further into its words by
 * ICU's dictionary segmenter, so that a word inside a sentence is a token of its own. Offsets are
 * UTF-16 indexes into `text`, as JavaScript (and the SDKs) count them.
 */
export function tokenize(text: string): Token[] {
  return NON_ASCII.test(text) ? unicodeTokens(text) : asciiTokens(text);
}

/** tokenize() of any text: by the Unicode classes. */
export function unicodeTokens(text: string): Token[] {
  const out: Token[] = [];
  const segment = needsSegmenting(text);
  for (const m of text.matchAll(WORD)) {
    if (segment && UNSPACED.test(m[0])) {
      for (const s of WORDS.segment(m[0]))
        if (/[\p{L}\p{N}]/u.test(s.segment)) out.push({ text: s.segment.toLowerCase(), begin: m.index + s.index, end: m.index + s.index + s.segment.length });
    } else out.push({ text: m[0].toLowerCase(), begin: m.index, end: m.index + m[0].length });
  }
  return out;
}

/**
 * tokenize() of ASCII text, by character codes: the only ASCII letters, digits and marks are A–Z,
 * a–z and 0–9, and lower-casing ASCII keeps every offset, so the words are cut from the text lower-cased once.
 */
export function asciiTokens(text: string): Token[] {
  const lower = text.toLowerCase();
  const out: Token[] = [];
  const n = lower.length;
  let i = 0;
  while (i < n) {
    while (i < n && !isAsciiWordChar(lower.charCodeAt(i))) i++;
    if (i === n) break;
    const begin = i;
    while (i < n && isAsciiWordChar(lower.charCodeAt(i))) i++;
    out.push({ text: lower.slice(begin, i), begin, end: i });
  }
  return out;
}

/** a–z or 0–9 (the text is lower case). */
const isAsciiWordChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/** The words of tokenize(text), without their offsets: several times cheaper on text no dictionary needs to cut. */
export function tokenWords(text: string): string[] {
  if (needsSegmenting(text)) return unicodeTokens(text).map((t) => t.text);
  return text.toLowerCase().match(WORD) ?? [];
}
