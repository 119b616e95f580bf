/**
 * Thesauri in Solr's synonym format, as Kendra reads them, and the expansion of a query with them.
 *
 * - `a, b, c`: equivalent terms; a query for any of them searches for all of them.
 * - `a, b => c, d`: one way; a query for a (or b) searches for c or d instead (Solr replaces the
 *   left side: write it on the right too to keep it, `ML => ML, machine learning`).
 * - `#` starts a comment; blank lines are ignored; `a => a` is no rule. Terms may be several words
 *   (searched as a phrase). The left side matches whatever its case; terms are matched as the query
 *   parser cuts words (tokenize.ts), so `dead-letter queue` matches `dead letter queue`.
 *
 * Expansion replaces a matching word, or run of adjacent words, of the parsed query by an OR of the
 * alternatives, so the engines search them and the highlighter marks them. The rules are a Map from
 * the words of a left side to the alternatives, and the longest left side is tried first at each
 * word: the cost of a query is a few map lookups per word, whatever the thesaurus's size.
 */
import type { Analyzer } from './analysis.js';
import type { QueryNode } from './queryText.js';
import { tokenize } from './tokenize.js';

/** Kendra's limits: the file under 5 MB. */
export const MAX_THESAURUS_FILE_BYTES = 5 * 1024 * 1024;

/** Left side (words joined by one space) → alternatives (each a list of words). */
export type SynonymRules = [string, string[][]][];

export interface ParsedThesaurus {
  rules: SynonymRules;
  termCount: number;
  ruleCount: number;
}

export class ThesaurusFileError extends Error {}

const words = (term: string) => tokenize(term).map((t) => t.text);

export function parseThesaurus(bytes: Buffer): ParsedThesaurus {
  if (bytes.length >= MAX_THESAURUS_FILE_BYTES) throw new ThesaurusFileError(`the file is ${bytes.length} bytes; a thesaurus file must be under ${MAX_THESAURUS_FILE_BYTES} bytes`);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.includes('\uFFFD')) throw new ThesaurusFileError('the file is not UTF-8 text');
  const map = new Map<string, Map<string, string[]>>();
  const terms = new Set<string>();
  let ruleCount = 0;
  const add = (from: string[], to: string[][]) => {
    const key = from.join(' ');
    let alts = map.get(key);
    if (!alts) map.set(key, (alts = new Map()));
    for (const t of to) alts.set(t.join(' '), t);
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const sides = line.split('=>');
    if (sides.length > 2) throw new ThesaurusFileError(`line ${i + 1}: more than one '=>'`);
    const list = (side: string, what: string) => {
      const out = side.split(',').map((t) => t.trim()).filter(Boolean);
      for (const t of out) if (!words(t).length) throw new ThesaurusFileError(`line ${i + 1}: the term '${t}' ${what} has no word in it`);
      if (!out.length) throw new ThesaurusFileError(`line ${i + 1}: ${what} is empty`);
      return out;
    };
    if (sides.length === 2) {
      const left = list(sides[0]!, 'on the left of =>');
      const right = list(sides[1]!, 'on the right of =>');
      const rightWords = right.map(words);
      let rule = false;
      for (const l of left) {
        const lw = words(l);
        // `a => a` maps a term to itself only: not a rule.
        if (rightWords.length === 1 && rightWords[0]!.join(' ') === lw.join(' ')) continue;
        add(lw, rightWords);
        rule = true;
      }
      if (!rule) return;
      ruleCount++;
      for (const t of [...left, ...right]) terms.add(t);
    } else {
      const all = list(sides[0]!, 'the list');
      const allWords = all.map(words);
      if (new Set(allWords.map((w) => w.join(' '))).size < 2) return;
      ruleCount++;
      for (const w of allWords) add(w, allWords);
      for (const t of all) terms.add(t);
    }
  });
  return { rules: [...map].map(([k, alts]) => [k, [...alts.values()]]), termCount: terms.size, ruleCount };
}

/** The rules ready for lookups, with the longest left side's length. */
export class Thesaurus {
  private readonly map: Map<string, string[][]>;
  private readonly longest: number;

  constructor(rules: SynonymRules) {
    this.map = new Map(rules);
    this.longest = Math.max(0, ...rules.map(([k]) => k.split(' ').length));
  }

  get size(): number {
    return this.map.size;
  }

  /** The query with each word (or run of words) that a rule's left side names replaced by its alternatives. */
  expand(node: QueryNode | undefined, analyzer: Analyzer): QueryNode | undefined {
    if (!node || !this.map.size) return node;
    switch (node.kind) {
      case 'term':
        return this.replaced([node.word], analyzer) ?? node;
      case 'phrase':
        return this.replaced(node.words, analyzer) ?? node;
      case 'prefix':
        return node;
      case 'not':
        return { kind: 'not', child: this.expand(node.child, analyzer)! };
      case 'and':
        return { kind: 'and', children: node.children.map((c) => this.expand(c, analyzer)!) };
      case 'or':
        return { kind: 'or', children: this.expandRun(node.children, analyzer) };
    }
  }

  /** Free text's words are an OR of terms: runs of adjacent terms may match a multi-word left side. */
  private expandRun(children: QueryNode[], analyzer: Analyzer): QueryNode[] {
    const out: QueryNode[] = [];
    for (let i = 0; i < children.length; ) {
      let matched = false;
      for (let n = Math.min(this.longest, children.length - i); n >= 2; n--) {
        const run = children.slice(i, i + n);
        if (!run.every((c) => c.kind === 'term')) continue;
        const found = this.replaced(run.map((c) => (c as { word: string }).word), analyzer);
        if (found) {
          out.push(found);
          i += n;
          matched = true;
          break;
        }
      }
      if (!matched) out.push(this.expand(children[i++]!, analyzer)!);
    }
    return out;
  }

  private replaced(ws: string[], analyzer: Analyzer): QueryNode | undefined {
    const alts = this.map.get(ws.join(' '));
    if (!alts) return undefined;
    const nodes = alts.flatMap((a): QueryNode[] => {
      const kept = a.filter((w) => a.length > 1 || !analyzer.isStopWord(w));
      return kept.length > 1 ? [{ kind: 'phrase', words: kept }] : kept.length ? [{ kind: 'term', word: kept[0]! }] : [];
    });
    return nodes.length === 1 ? nodes[0] : nodes.length ? { kind: 'or', children: nodes } : undefined;
  }
}
