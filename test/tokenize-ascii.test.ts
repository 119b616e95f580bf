// The tokenizer's ASCII fast path (search/tokenize.ts): on ASCII text it cuts exactly the tokens — words,
// lower case, offsets — that the Unicode path cuts, and text with any other character takes the Unicode path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asciiTokens, tokenize, tokenWords, unicodeTokens } from '../src/search/tokenize.js';
import { seeded } from './support/reliability/tally.js';

const WRITTEN = [
  '',
  ' ',
  'a',
  'Z',
  '7',
  'Hello, World!',
  "don't stop; it's the users' guide",
  'dead-letter queue -- re-try (x-ray)',
  'HTTP/1.1 200 OK\r\nContent-Length: 42\r\n',
  'v2.3.4-rc1 released 2024-06-30T12:00:00Z',
  'snake_case camelCase PascalCase kebab-case SCREAMING_CASE',
  'e-mail: someone@example.com, url https://example.com/a?b=c&d=e#f',
  '$100.00 + 15% = $115.00; 3*4=12 ~ ^ | \\ ` {}[]<>',
  '\t\ttabs\tand\nnew\nlines\v\f',
  '\x00\x01control\x1fchars\x7f',
  '   leading and trailing   ',
  'ALLCAPS lowercase MiXeD',
  '0123456789',
  "o'clock rock'n'roll 'quoted' \"double\"",
  'The quick brown fox jumps over the lazy dog.',
];

/** Every printable and control ASCII character is drawn, word characters more often, so words of every length occur. */
function randomAscii(next: () => number, length: number): string {
  const word = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += next() < 0.7 ? word[Math.floor(next() * word.length)] : String.fromCharCode(Math.floor(next() * 128));
  return s;
}

function asciiCases(): string[] {
  const next = seeded(0x9e3779b9);
  const cases = [...WRITTEN];
  for (let i = 0; i < 300; i++) cases.push(randomAscii(next, 1 + Math.floor(next() * 80)));
  for (let i = 0; i < 20; i++) cases.push(randomAscii(next, 5_000 + Math.floor(next() * 20_000)));
  cases.push(WRITTEN.join(' ').repeat(200));
  return cases;
}

test('on ASCII text the fast path cuts the same tokens as the Unicode path, and tokenize takes it', () => {
  const cases = asciiCases();
  assert.equal(cases.length, 341);
  let tokens = 0;
  for (const text of cases) {
    assert.ok(/^[\x00-\x7f]*$/.test(text));
    const expected = unicodeTokens(text);
    assert.deepEqual(asciiTokens(text), expected, JSON.stringify(text.slice(0, 200)));
    assert.deepEqual(tokenize(text), expected);
    assert.deepEqual(tokenWords(text), expected.map((t) => t.text));
    tokens += expected.length;
  }
  assert.equal(tokens, 64_906);
});

test('the fast path on examples: words are runs of letters and digits, lower case, offsets into the text', () => {
  assert.deepEqual(asciiTokens("Don't re-try HTTP/1.1"), [
    { text: 'don', begin: 0, end: 3 },
    { text: 't', begin: 4, end: 5 },
    { text: 're', begin: 6, end: 8 },
    { text: 'try', begin: 9, end: 12 },
    { text: 'http', begin: 13, end: 17 },
    { text: '1', begin: 18, end: 19 },
    { text: '1', begin: 20, end: 21 },
  ]);
  assert.deepEqual(asciiTokens(' \t.,;- '), []);
  assert.deepEqual(asciiTokens(''), []);
});

test('text with any non-ASCII character takes the Unicode path: accents, case folding that changes length, unspaced scripts', () => {
  const cases: [string, [string, number, number][]][] = [
    ['Café déjà-vu', [['café', 0, 4], ['déjà', 5, 9], ['vu', 10, 12]]],
    ['İstanbul now', [['i̇stanbul', 0, 8], ['now', 9, 12]]],
    ['naïve résumé 2024', [['naïve', 0, 5], ['résumé', 6, 12], ['2024', 13, 17]]],
    ['price: 5€ or £4', [['price', 0, 5], ['5', 7, 8], ['or', 10, 12], ['4', 14, 15]]],
    ['smart “quotes” and ’apostrophes’', [['smart', 0, 5], ['quotes', 7, 13], ['and', 15, 18], ['apostrophes', 20, 31]]],
    ['ΑΘΗΝΑ Москва', [['αθηνα', 0, 5], ['москва', 6, 12]]],
    ['read ภาษาไทยง่าย now', [['read', 0, 4], ['ภาษา', 5, 9], ['ไทย', 9, 12], ['ง่าย', 12, 16], ['now', 17, 20]]],
    ['emoji 😀 between', [['emoji', 0, 5], ['between', 9, 16]]],
    ['ﬁle ligature', [['ﬁle', 0, 3], ['ligature', 4, 12]]],
  ];
  for (const [text, expected] of cases) {
    const tokens = expected.map(([t, begin, end]) => ({ text: t, begin, end }));
    assert.deepEqual(tokenize(text), tokens, text);
    assert.deepEqual(unicodeTokens(text), tokens, text);
    assert.deepEqual(tokenWords(text), expected.map(([t]) => t), text);
  }
});
