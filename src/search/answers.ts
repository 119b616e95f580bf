/**
 * Extractive answers (issue 12, item 2): whether a query asks a question, and where in a passage
 * its answer is. Computed here, from the passages the engine ranked, so that both backends answer
 * alike.
 *
 * A query is a question when it starts with a question word (who, what, when, where, why, how,
 * which, whom, whose) or ends with a question mark. The question word says what kind of answer is
 * wanted: a person (who), a time (when), a place (where), a quantity (how many, how much, how
 * long...), a reason (why), a way of doing (how), or a thing (what, which, a bare question mark).
 *
 * The answering sentence is the one, in the best passages, that holds with the sentence before it
 * the largest share of the query's terms (at least MIN_COVERAGE, and MIN_OWN_COVERAGE by itself;
 * ties: the larger share by itself, the better passage, the earlier sentence); words that only
 * say the kind ("many" of "how many") are not looked for. The answer text is that sentence (from
 * the one before when that held query terms) and the sentences after it that fit in
 * ANSWER_TEXT_CHARS. In the sentence, the answer span is chosen by the kind:
 * - a way or a reason: the clause (between commas, semicolons, colons or dashes) with the fewest
 *   query words and at least one word of its own, from after its last query word when words of its
 *   own follow; for a reason, a clause holding because, since, so or due first, from that word;
 * - a person, time, place or quantity: the first stretch of words outside the query words holding
 *   a name (capitalised words), a date or duration, a place (a preposition of place and what follows)
 *   or a number with its unit; none there, no answer;
 * - a thing: the stretch of words outside the query words with the most words of its own.
 * Stretches and clauses lose their leading and trailing stop words (a place keeps its preposition).
 */
import type { Analyzer } from './analysis.js';
import type { Token } from './tokenize.js';

export type AnswerKind = 'PERSON' | 'TIME' | 'PLACE' | 'QUANTITY' | 'REASON' | 'MANNER' | 'THING';

/** The share of the query's terms the answering sentence must hold with the sentence before it, and by itself. */
export const MIN_COVERAGE = 0.75;
export const MIN_OWN_COVERAGE = 0.5;
/** Characters of the answer text: the answering sentence and, while they fit, those after it in the passage. */
export const ANSWER_TEXT_CHARS = 300;

const KIND_OF: Record<string, AnswerKind> = {
  who: 'PERSON', whom: 'PERSON', whose: 'PERSON', when: 'TIME', where: 'PLACE', why: 'REASON', how: 'MANNER', what: 'THING', which: 'THING',
};
const QUANTITY_AFTER_HOW = new Set(['many', 'much', 'long', 'old', 'often', 'far', 'big', 'large', 'tall', 'high']);
const NUMBER_WORDS = new Set(
  ('zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen ' +
    'twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion half dozen').split(' '),
);
const TIME_WORDS = new Set(
  ('january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec ' +
    'monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday morning evening night noon midnight ' +
    'second seconds minute minutes hour hours day days week weeks month months year years decade decades century weekly monthly yearly daily annually quarterly').split(' '),
);
const TIME_LEADS = new Set(['after', 'before', 'in', 'on', 'at', 'every', 'within', 'by', 'until', 'since', 'during', 'from']);
const PLACE_WORDS = new Set(['in', 'at', 'on', 'behind', 'near', 'beside', 'inside', 'outside', 'under', 'above', 'below', 'next', 'opposite', 'between', 'beneath', 'from']);
const REASON_WORDS = new Set(['because', 'since', 'so', 'due']);

/** What kind of answer a query asks for, or undefined when it is not a question. */
export function questionKind(text: string, analyzer: Analyzer): AnswerKind | undefined {
  return question(text, analyzer)?.kind;
}

/** The query's terms an answer must hold: its own, without the words that only say the question's kind ("how many"). */
export function answerTerms(text: string, terms: string[], analyzer: Analyzer): string[] {
  const q = question(text, analyzer);
  const asking = new Set((q?.words ?? []).map((w) => analyzer.term(w)));
  return terms.filter((t) => !asking.has(t));
}

function question(text: string, analyzer: Analyzer): { kind: AnswerKind; words: string[] } | undefined {
  const words = analyzer.tokens(text);
  const first = words[0]?.text;
  if (first !== undefined && first in KIND_OF) {
    if (first === 'how' && QUANTITY_AFTER_HOW.has(words[1]?.text ?? '')) return { kind: 'QUANTITY', words: [first, words[1]!.text] };
    return { kind: KIND_OF[first]!, words: [first] };
  }
  return /[?？]\s*$/.test(text) ? { kind: 'THING', words: [] } : undefined;
}

export interface Span {
  begin: number;
  end: number;
}

export interface FoundAnswer {
  /** Which of the passages given holds it. */
  passage: number;
  /** The answer text (offsets into the passage): its sentence and those after it that fit. */
  text: Span;
  /** The answer itself (offsets into the passage). */
  answer: Span;
  /** Share of the query's terms in the answering sentence and the one before it. */
  coverage: number;
  /** Share of the query's terms in the answering sentence. */
  own: number;
}

/** Where the answer to the question is in the passages (best first), or undefined when none holds one confidently. */
export function findAnswer(passages: string[], terms: string[], kind: AnswerKind, analyzer: Analyzer): FoundAnswer | undefined {
  if (!terms.length) return undefined;
  const wanted = new Set(terms);
  let best: { passage: number; sentence: Span; sentences: Span[]; coverage: number; own: number } | undefined;
  passages.forEach((p, pi) => {
    const all = sentences(p);
    const held = all.map((s) => new Set(analyzer.tokens(p.slice(s.begin, s.end)).map((t) => analyzer.term(t.text)).filter((t) => wanted.has(t))));
    all.forEach((s, si) => {
      // The sentence before gives context ("To rotate an API key, ... Keys expire after ninety days.").
      const coverage = new Set([...held[si]!, ...(held[si - 1] ?? [])]).size / wanted.size;
      const own = held[si]!.size / wanted.size;
      if (coverage < MIN_COVERAGE || own < MIN_OWN_COVERAGE) return;
      if (!best || coverage > best.coverage || (coverage === best.coverage && own > best.own)) best = { passage: pi, sentence: s, sentences: all, coverage, own };
    });
  });
  if (!best) return undefined;
  const text = passages[best.passage]!;
  const answer = answerSpan(text, best.sentence, wanted, kind, analyzer);
  if (!answer) return undefined;
  // The text starts with the sentence before when that one held some of the query's terms.
  const at = best.sentences.indexOf(best.sentence);
  const begin = best.coverage > best.own && at > 0 ? best.sentences[at - 1]!.begin : best.sentence.begin;
  let end = best.sentence.end;
  for (const s of best.sentences.slice(at + 1)) {
    if (s.end - begin > ANSWER_TEXT_CHARS) break;
    end = s.end;
  }
  return { passage: best.passage, text: { begin, end }, answer, coverage: best.coverage, own: best.own };
}

/** Sentences of a text (ending at . ! ? before a space or the end, or at a line break), trimmed, as offsets. */
export function sentences(text: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  const push = (from: number, to: number) => {
    const part = text.slice(from, to);
    const lead = part.length - part.trimStart().length;
    const body = part.trim();
    if (/[\p{L}\p{N}]/u.test(body)) out.push({ begin: from + lead, end: from + lead + body.length });
  };
  for (const m of text.matchAll(/[.!?]+["')\]]*(?=\s|$)|\n/g)) {
    push(start, m.index + m[0].length);
    start = m.index + m[0].length;
  }
  push(start, text.length);
  return out;
}

interface Word extends Token {
  query: boolean;
  stop: boolean;
  /** Index of its clause in the sentence. */
  clause: number;
}

function answerSpan(text: string, sentence: Span, wanted: Set<string>, kind: AnswerKind, analyzer: Analyzer): Span | undefined {
  const body = text.slice(sentence.begin, sentence.end);
  const cuts = [...body.matchAll(/[,;:](?=\s)|\s[-–—]\s/g)].map((m) => m.index);
  const words: Word[] = analyzer.tokens(body).map((t) => ({
    text: t.text, begin: sentence.begin + t.begin, end: sentence.begin + t.end,
    query: wanted.has(analyzer.term(t.text)), stop: analyzer.isStopWord(t.text), clause: cuts.filter((c) => c < t.begin).length,
  }));
  const original = (w: Word) => text.slice(w.begin, w.end);
  if (kind === 'MANNER' || kind === 'REASON') {
    const clauses = groupBy(words, (w) => w.clause).filter((c) => c.some(own));
    const because = (c: Word[]) => c.findIndex((w) => REASON_WORDS.has(w.text));
    const rank = (c: Word[]) => [kind === 'REASON' && because(c) >= 0 ? 0 : 1, c.filter((w) => w.query).length, -c.filter(own).length];
    const chosen = clauses.map((c, i) => ({ c, key: [...rank(c), i] })).sort((a, b) => compareKeys(a.key, b.key))[0]?.c;
    if (!chosen) return undefined;
    // A reason from its because; a way from after the query words when it goes on ("... by opening the console").
    if (kind === 'REASON' && because(chosen) >= 0) return trimmed(chosen.slice(because(chosen)), (w) => REASON_WORDS.has(w.text));
    const after = chosen.slice(chosen.map((w) => w.query).lastIndexOf(true) + 1);
    return trimmed(after.some(own) ? after : chosen, () => false);
  }
  // Stretches of words outside the query words, within one clause.
  const stretches: Word[][] = [];
  let run: Word[] = [];
  for (const w of words) {
    if (w.query || (run.length && run[run.length - 1]!.clause !== w.clause)) {
      if (run.length) stretches.push(run);
      run = w.query ? [] : [w];
    } else run.push(w);
  }
  if (run.length) stretches.push(run);
  if (kind === 'THING') {
    const best = stretches.map((s, i) => ({ s, key: [-s.filter(own).length, i] })).filter((x) => x.key[0]! < 0).sort((a, b) => compareKeys(a.key, b.key))[0];
    return best && trimmed(best.s, () => false);
  }
  for (const s of stretches) {
    const found = cue(s, kind, original);
    if (found) return found;
  }
  return undefined;
}

const own = (w: Word) => !w.query && !w.stop;

/** The words' span without leading and trailing stop words (those `keep` says to keep stay). */
function trimmed(words: Word[], keep: (w: Word) => boolean): Span | undefined {
  let i = 0;
  let j = words.length - 1;
  while (i <= j && words[i]!.stop && !keep(words[i]!)) i++;
  while (j >= i && words[j]!.stop) j--;
  return i <= j ? { begin: words[i]!.begin, end: words[j]!.end } : undefined;
}

const isNumber = (w: string) => /^\d+(?:st|nd|rd|th)?$/.test(w) || NUMBER_WORDS.has(w);

/** The part of a stretch that is the kind of answer asked for. */
function cue(s: Word[], kind: AnswerKind, original: (w: Word) => string): Span | undefined {
  const span = (i: number, j: number): Span => ({ begin: s[i]!.begin, end: s[j]!.end });
  for (let i = 0; i < s.length; i++) {
    const w = s[i]!;
    switch (kind) {
      case 'PERSON': {
        if (w.stop || !/^\p{Lu}/u.test(original(w))) break;
        let j = i;
        while (j + 1 < s.length && /^\p{Lu}/u.test(original(s[j + 1]!)) && !s[j + 1]!.stop) j++;
        return span(i, j);
      }
      case 'TIME': {
        if (!TIME_WORDS.has(w.text) && !isNumber(w.text)) break;
        let j = i;
        while (j + 1 < s.length && (TIME_WORDS.has(s[j + 1]!.text) || isNumber(s[j + 1]!.text))) j++;
        const run = s.slice(i, j + 1);
        if (!run.some((x) => TIME_WORDS.has(x.text) || /^\d{4}$/.test(x.text))) {
          i = j;
          break;
        }
        return span(i > 0 && TIME_LEADS.has(s[i - 1]!.text) ? i - 1 : i, j);
      }
      case 'QUANTITY': {
        if (!isNumber(w.text)) break;
        let j = i;
        while (j + 1 < s.length && isNumber(s[j + 1]!.text)) j++;
        if (j + 1 < s.length && !s[j + 1]!.stop) j++;
        return span(i, j);
      }
      case 'PLACE': {
        // A preposition of place and what follows it up to the next preposition, unless that is a time ("in 1999").
        const next = s[i + 1];
        if (!PLACE_WORDS.has(w.text) || !next || TIME_WORDS.has(next.text) || isNumber(next.text)) break;
        let j = i + 1;
        while (j + 1 < s.length && !PLACE_WORDS.has(s[j + 1]!.text) && !TIME_LEADS.has(s[j + 1]!.text)) j++;
        const rest = trimmed(s.slice(i + 1, j + 1), () => false);
        if (rest) return { begin: w.begin, end: rest.end };
        break;
      }
    }
  }
  return undefined;
}

function groupBy<T>(items: T[], key: (t: T) => number): T[][] {
  const out = new Map<number, T[]>();
  for (const it of items) out.set(key(it), [...(out.get(key(it)) ?? []), it]);
  return [...out.values()];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
