/**
 * Text analysis by language: how a document's words become the terms its full-text index holds, and
 * how a query's words are matched against them, alike on both backends.
 *
 * - English (`en`, the index default) keeps the engines' own analysis: FTS5's porter tokenizer and
 *   PostgreSQL's `english` configuration stem the text as it is (documents_fts, to_tsvector('english')).
 *   Only text in scripts written without spaces is handed to them cut into words (indexText).
 * - Every other language is analysed here in full — words cut (dictionary segmentation for Chinese,
 *   Japanese, Thai…), lower-cased, accents folded where the language's searchers leave them out,
 *   stemmed with the language's own Snowball stemmer where one exists (never the English one) — and
 *   the engines index the resulting terms as they are (documents_fts_plain without a stemmer,
 *   to_tsvector('simple')), so both backends hold exactly the same terms.
 *
 * Highlights are found on the original text (tokens keep their offsets), never on the analysed form.
 */
import { stemmer as arabic } from '@orama/stemmers/arabic';
import { stemmer as armenian } from '@orama/stemmers/armenian';
import { stemmer as bulgarian } from '@orama/stemmers/bulgarian';
import { stemmer as danish } from '@orama/stemmers/danish';
import { stemmer as dutch } from '@orama/stemmers/dutch';
import { stemmer as english } from '@orama/stemmers/english';
import { stemmer as finnish } from '@orama/stemmers/finnish';
import { stemmer as french } from '@orama/stemmers/french';
import { stemmer as german } from '@orama/stemmers/german';
import { stemmer as greek } from '@orama/stemmers/greek';
import { stemmer as hungarian } from '@orama/stemmers/hungarian';
import { stemmer as indonesian } from '@orama/stemmers/indonesian';
import { stemmer as irish } from '@orama/stemmers/irish';
import { stemmer as italian } from '@orama/stemmers/italian';
import { stemmer as lithuanian } from '@orama/stemmers/lithuanian';
import { stemmer as norwegian } from '@orama/stemmers/norwegian';
import { stemmer as portuguese } from '@orama/stemmers/portuguese';
import { stemmer as romanian } from '@orama/stemmers/romanian';
import { stemmer as russian } from '@orama/stemmers/russian';
import { stemmer as spanish } from '@orama/stemmers/spanish';
import { stemmer as swedish } from '@orama/stemmers/swedish';
import { stemmer as turkish } from '@orama/stemmers/turkish';
import { stopwords as arabicStop } from '@orama/stopwords/arabic';
import { stopwords as armenianStop } from '@orama/stopwords/armenian';
import { stopwords as bulgarianStop } from '@orama/stopwords/bulgarian';
import { stopwords as danishStop } from '@orama/stopwords/danish';
import { stopwords as dutchStop } from '@orama/stopwords/dutch';
import { stopwords as finnishStop } from '@orama/stopwords/finnish';
import { stopwords as frenchStop } from '@orama/stopwords/french';
import { stopwords as germanStop } from '@orama/stopwords/german';
import { stopwords as greekStop } from '@orama/stopwords/greek';
import { stopwords as hungarianStop } from '@orama/stopwords/hungarian';
import { stopwords as indonesianStop } from '@orama/stopwords/indonesian';
import { stopwords as irishStop } from '@orama/stopwords/irish';
import { stopwords as italianStop } from '@orama/stopwords/italian';
import { stopwords as japaneseStop } from '@orama/stopwords/japanese';
import { stopwords as lithuanianStop } from '@orama/stopwords/lithuanian';
import { stopwords as mandarinStop } from '@orama/stopwords/mandarin';
import { stopwords as norwegianStop } from '@orama/stopwords/norwegian';
import { stopwords as portugueseStop } from '@orama/stopwords/portuguese';
import { stopwords as romanianStop } from '@orama/stopwords/romanian';
import { stopwords as russianStop } from '@orama/stopwords/russian';
import { stopwords as spanishStop } from '@orama/stopwords/spanish';
import { stopwords as swedishStop } from '@orama/stopwords/swedish';
import { stopwords as turkishStop } from '@orama/stopwords/turkish';
import { DEFAULT_LANGUAGE } from './language.js';
import { porterStem } from './porter.js';
import { STOP_WORDS } from './stopwords.js';
import { needsSegmenting, tokenize, type Token } from './tokenize.js';

export interface Analyzer {
  /** Analysed by the engines' English stemmers (true), or here, into terms indexed as they are (false). */
  readonly english: boolean;
  /** The words of a text, lower case, with their offsets in it. */
  tokens(text: string): Token[];
  /**
   * A word's term and its prefix form begin with the word's own first character (English: Porter's
   * rules change endings only, and prefixes are the words as they are): the highlighter then looks
   * up only the words that begin as a query word does.
   */
  readonly keepsFirstCharacter: boolean;
  /** The term a word (lower case) is indexed and matched under. */
  term(word: string): string;
  /** The form a wildcard's prefix is matched under (never stemmed: a prefix is not a word). */
  prefix(word: string): string;
  /** A query word to leave out of free text: it would match nearly every document of the language. */
  isStopWord(word: string): boolean;
  /** What the full-text index holds for a text, or null when it indexes the text itself. */
  indexText(text: string): string | null;
  /** A query term as the engine's match expression takes it (English: the word, which the engine stems). */
  matchTerm(word: string): string;
  matchPrefix(word: string): string;
}

/**
 * Terms kept per analyzer, in two generations of this many words. Highlighting takes the term of each
 * word of a result's title and body that could start a match (in English, those beginning as a query
 * word does; in other languages every word), and a collection's words follow Zipf's law: most of its text is
 * its commonest few thousand words, whose stems are found here instead of run through the stemmer's
 * rules again. When the newer generation is full the older one is dropped: a word still in use was
 * met again meanwhile and moved to the newer one, so the common words survive (cheaper per lookup
 * than least-recently-used order). At most 2 × TERM_GENERATION words are held, a few MB.
 */
const TERM_GENERATION = 32_768;

/** `stem`, remembered for the words met lately (the stemmers are pure functions of the word). */
function memoized(stem: (word: string) => string): (word: string) => string {
  let current = new Map<string, string>();
  let previous = new Map<string, string>();
  return (word) => {
    let term = current.get(word);
    if (term !== undefined) return term;
    term = previous.get(word) ?? stem(word);
    if (current.size >= TERM_GENERATION) {
      previous = current;
      current = new Map();
    }
    current.set(word, term);
    return term;
  };
}

const ENGLISH: Analyzer = {
  english: true,
  tokens: tokenize,
  keepsFirstCharacter: true,
  term: memoized(porterStem),
  prefix: (w) => w,
  isStopWord: (w) => STOP_WORDS.has(w),
  // The engines cut spaced text themselves; only unspaced runs are handed over cut, words joined by spaces.
  indexText: (text) => (needsSegmenting(text) ? spaced(text) : null),
  matchTerm: (w) => w,
  matchPrefix: (w) => w,
};

interface LanguageRules {
  stem?: (word: string) => string;
  stopWords?: readonly string[];
  /** Searchers of the language type its words without accents: é, è, ê, ë, ç… match e, c… */
  foldAccents?: boolean;
}

/** By primary language subtag (pt-BR is pt); Kendra's languages with a Snowball stemmer or a stop list. */
const RULES: Record<string, LanguageRules> = {
  ar: { stem: arabic, stopWords: arabicStop },
  hy: { stem: armenian, stopWords: armenianStop },
  bg: { stem: bulgarian, stopWords: bulgarianStop },
  ca: { foldAccents: true },
  da: { stem: danish, stopWords: danishStop },
  de: { stem: german, stopWords: germanStop },
  el: { stem: greek, stopWords: greekStop },
  en: { stem: english, stopWords: [...STOP_WORDS] },
  es: { stem: spanish, stopWords: spanishStop, foldAccents: true },
  fi: { stem: finnish, stopWords: finnishStop },
  fr: { stem: french, stopWords: frenchStop, foldAccents: true },
  ga: { stem: irish, stopWords: irishStop },
  gl: { foldAccents: true },
  hu: { stem: hungarian, stopWords: hungarianStop },
  id: { stem: indonesian, stopWords: indonesianStop },
  it: { stem: italian, stopWords: italianStop, foldAccents: true },
  ja: { stopWords: japaneseStop },
  lt: { stem: lithuanian, stopWords: lithuanianStop },
  nl: { stem: dutch, stopWords: dutchStop },
  no: { stem: norwegian, stopWords: norwegianStop },
  pt: { stem: portuguese, stopWords: portugueseStop, foldAccents: true },
  ro: { stem: romanian, stopWords: romanianStop },
  ru: { stem: russian, stopWords: russianStop },
  sv: { stem: swedish, stopWords: swedishStop },
  tr: { stem: turkish, stopWords: turkishStop },
  zh: { stopWords: mandarinStop },
};

/** One analyzer per language with rules, made once; any other code shares the one without rules (codes come from requests: the set stays bounded). */
const analyzers = new Map<string, Analyzer>(Object.entries(RULES).map(([code, rules]) => [code, plainAnalyzer(rules)]));
const NO_RULES = plainAnalyzer({});

/** The analysis of a language code: English for `en`; any other code by its primary subtag (no stemming when unknown). */
export function analyzerFor(language: string): Analyzer {
  if (language === DEFAULT_LANGUAGE) return ENGLISH;
  return analyzers.get(language.split('-')[0]!.toLowerCase()) ?? NO_RULES;
}

function plainAnalyzer(rules: LanguageRules): Analyzer {
  const fold = rules.foldAccents ? foldAccents : (w: string) => w;
  // Stemmed after folding, so that a word typed without its accents meets the same stem.
  const term = memoized(rules.stem ? (w: string) => rules.stem!(fold(w)) : fold);
  const stop = new Set(rules.stopWords ?? []);
  return {
    english: false,
    tokens: tokenize,
    // Accents are folded (é to e) and the Snowball stemmers make no such promise.
    keepsFirstCharacter: false,
    term,
    prefix: fold,
    isStopWord: (w) => stop.has(w) || stop.has(fold(w)),
    indexText: (text) => tokenize(text).map((t) => term(t.text)).join(' '),
    matchTerm: term,
    matchPrefix: fold,
  };
}

/** Combining accents (U+0300–U+036F) removed from Latin, Greek and Cyrillic letters; other scripts' marks are kept. */
function foldAccents(word: string): string {
  return /[^\x00-\x7f]/.test(word) ? word.normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC') : word;
}

/** The text with each run that needed cutting replaced by its words, joined by spaces. */
function spaced(text: string): string {
  let out = '';
  let at = 0;
  for (const t of tokenize(text)) {
    out += `${text.slice(at, t.begin)} ${text.slice(t.begin, t.end)}`;
    at = t.end;
  }
  return out + text.slice(at);
}
