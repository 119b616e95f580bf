// The highlighter skips the term lookup of a word that cannot start a match (search/highlight.ts): for English,
// whose terms (Porter stems) and prefix forms keep a word's first character, a word beginning with no query
// word's first character is passed over. The rule it rests on holds, and the highlights are those of
// looking up every word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzerFor } from '../src/search/analysis.js';
import { Highlighter } from '../src/search/highlight.js';
import { porterStem } from '../src/search/porter.js';
import { parseQueryText } from '../src/search/queryText.js';
import { seeded } from './support/reliability/tally.js';

const STEMS = ['y', 'yes', 'i', 'e', 'a', 'o', 'u', 'ss', 'cat', 'run', 'happ', 'relat', 'condition', 'gener', 'hope', 'fil', 'sky', 'ying', 'eed', 'agre', 'ies', 'sses', 'at', 'bl', 'iz', 'ly', 'ed', 'ing'];
const SUFFIXES = ['', 's', 'es', 'ies', 'sses', 'ed', 'eed', 'ing', 'y', 'ational', 'tional', 'izer', 'ization', 'ation', 'ator', 'alism', 'iveness', 'fulness', 'ousness', 'aliti', 'iviti', 'biliti', 'logi', 'icate', 'ative', 'alize', 'ical', 'ful', 'ness', 'al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'sion', 'tion', 'ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'e', 'll', 'bli', 'alli', 'entli', 'eli', 'ousli', 'enci', 'anci'];

test("a Porter stem begins with its word's first character", () => {
  let words = 0;
  for (const stem of STEMS)
    for (const a of SUFFIXES)
      for (const b of ['', 'ing', 'ed', 's', 'ness', 'al']) {
        const w = stem + a + b;
        assert.equal(porterStem(w)[0], w[0], w);
        words++;
      }
  assert.equal(words, STEMS.length * SUFFIXES.length * 6);
  const english = analyzerFor('en');
  assert.equal(english.keepsFirstCharacter, true);
  assert.equal(english.prefix('relational'), 'relational');
  for (const code of ['fr', 'de', 'es', 'xx']) assert.equal(analyzerFor(code).keepsFirstCharacter, false, code);
});

test('highlights and excerpts are those of looking up every word, for words, phrases, prefixes and boolean queries', () => {
  const next = seeded(0x2545f491);
  const vocabulary = ['relate', 'relational', 'relations', 'related', 'yes', 'yield', 'yielding', 'happy', 'happiness', 'cat', 'cats', 'a', 'i', 'it', 'run', 'running', 'runs', 'condition', 'conditional', 'generate', 'generalization', 'hopeful', 'hoping', 'filing', 'files', 'sky', 'skies', 'Sky', 'RUN', '42', 'x1', 'café', 'naïve'];
  const pick = () => vocabulary[Math.floor(next() * vocabulary.length)]!;
  const sentence = (n: number) => Array.from({ length: n }, (_, i) => pick() + (i % 9 === 8 ? '.' : next() < 0.1 ? ',' : '')).join(' ');
  const query = () => {
    const r = next();
    if (r < 0.3) return pick();
    if (r < 0.5) return `"${pick()} ${pick()}"`;
    if (r < 0.65) return `${pick().slice(0, 3)}* ${pick()}`;
    if (r < 0.8) return `${pick()} AND ${pick()} OR "${pick()} ${pick()} ${pick()}"`;
    return `${pick()} NOT ${pick()} ${pick()}`;
  };
  const english = analyzerFor('en');
  const everyWord = { ...english, keepsFirstCharacter: false };
  let highlights = 0;
  for (let q = 0; q < 300; q++) {
    const parsed = parseQueryText(query(), english);
    const fast = new Highlighter(parsed, english);
    const full = new Highlighter(parsed, everyWord);
    for (let d = 0; d < 5; d++) {
      const title = sentence(1 + Math.floor(next() * 8));
      const body = sentence(20 + Math.floor(next() * 200));
      const t = fast.highlight(title);
      const e = fast.excerpt(body);
      assert.deepEqual(t, full.highlight(title));
      assert.deepEqual(e, full.excerpt(body));
      highlights += t.Highlights.length + e.Highlights.length;
    }
  }
  assert.equal(highlights, 6929);
});
