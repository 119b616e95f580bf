import { porterStem } from './porter.js';

export interface Token {
  /** Lower-cased text of the token. */
  text: string;
  begin: number;
  end: number;
}

/**
 * Word tokens as SQLite's unicode61 tokenizer cuts them: runs of letters, digits and marks; all
 * else separates. Offsets are UTF-16 indexes into `text`, as JavaScript (and the SDKs) count them.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}\p{Co}]+/gu)) out.push({ text: m[0].toLowerCase(), begin: m.index, end: m.index + m[0].length });
  return out;
}

/** The form a word is indexed under (lower case, Porter stem), for matching query terms to text. */
export const stem = (word: string): string => porterStem(word.toLowerCase());
