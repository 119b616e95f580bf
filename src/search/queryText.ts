/**
 * Kendra's query syntax: words, "quoted phrases", AND / OR / NOT (upper case), parentheses and
 * trailing wildcards (`cloud*`, at least three characters before the `*`). Words side by side
 * without an operator are alternatives ranked by relevance, as in a natural-language query;
 * `a NOT b` means a and not b. Like Kendra, the text is cut after its first 30 words, and a query
 * that does not parse cleanly (a stray parenthesis, an open quote) is read as well as it can be
 * rather than refused. Words are cut as the query's language cuts them (analysis.ts): a run of
 * Chinese or Japanese is several words, alternatives like words between spaces.
 */
import type { Analyzer } from './analysis.js';
import { needsSegmenting } from './tokenize.js';

export type QueryNode =
  | { kind: 'term'; word: string }
  | { kind: 'prefix'; word: string }
  | { kind: 'phrase'; words: string[] }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode };

/** Kendra keeps the first 30 words of a query. */
export const MAX_QUERY_WORDS = 30;
/** A wildcard needs this many characters before the `*`; shorter, the `*` is ignored. */
const MIN_PREFIX = 3;

type Lexeme = { op: 'AND' | 'OR' | 'NOT' | '(' | ')' } | { node: QueryNode };

/** The query as a tree, or undefined when it has nothing to search for (empty, only stop words). */
export function parseQueryText(text: string, analyzer: Analyzer): QueryNode | undefined {
  const lexemes = lex(text, analyzer);
  let pos = 0;
  const peek = () => lexemes[pos];
  const isOp = (l: Lexeme | undefined, op: string) => l !== undefined && 'op' in l && l.op === op;

  // orExpr := andExpr (OR? andExpr)*    andExpr := unary ((AND | NOT) unary)*    unary := NOT unary | primary
  function orExpr(): QueryNode | undefined {
    const parts: (QueryNode | undefined)[] = [andExpr()];
    for (;;) {
      const l = peek();
      if (!l || isOp(l, ')')) break;
      if (isOp(l, 'OR')) pos++;
      parts.push(andExpr());
    }
    return combine('or', parts);
  }
  function andExpr(): QueryNode | undefined {
    const parts: (QueryNode | undefined)[] = [unary()];
    for (;;) {
      if (isOp(peek(), 'AND')) {
        pos++;
        parts.push(unary());
      } else if (isOp(peek(), 'NOT')) {
        pos++;
        const negated = unary();
        parts.push(negated && { kind: 'not', child: negated });
      } else break;
    }
    return combine('and', parts);
  }
  function unary(): QueryNode | undefined {
    const l = peek();
    if (!l) return undefined;
    if (isOp(l, 'NOT')) {
      pos++;
      const negated = unary();
      return negated && { kind: 'not', child: negated };
    }
    if (isOp(l, '(')) {
      pos++;
      const inner = orExpr();
      if (isOp(peek(), ')')) pos++;
      return inner;
    }
    if ('op' in l) {
      // An operator with no operand here (`AND AND x`, a stray `)` at top level): skip it.
      pos++;
      return undefined;
    }
    pos++;
    return l.node;
  }

  const parts: (QueryNode | undefined)[] = [];
  while (pos < lexemes.length) {
    parts.push(orExpr());
    if (isOp(peek(), ')')) pos++;
  }
  return combine('or', parts);
}

function combine(kind: 'and' | 'or', parts: (QueryNode | undefined)[]): QueryNode | undefined {
  const kept: QueryNode[] = [];
  for (const p of parts) {
    if (!p) continue;
    if (p.kind === kind) kept.push(...p.children);
    else kept.push(p);
  }
  if (kept.length <= 1) return kept[0];
  return { kind, children: kept };
}

function lex(text: string, analyzer: Analyzer): Lexeme[] {
  const out: Lexeme[] = [];
  let words = 0;
  const room = () => MAX_QUERY_WORDS - words;
  const push = (node: QueryNode | undefined) => {
    if (node) out.push({ node });
  };
  let i = 0;
  while (i < text.length && room() > 0) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      out.push({ op: ch });
      i++;
    } else if (ch === '"') {
      const close = text.indexOf('"', i + 1);
      const inner = text.slice(i + 1, close < 0 ? text.length : close);
      i = close < 0 ? text.length : close + 1;
      const pieces = analyzer.tokens(inner).map((t) => t.text).slice(0, room());
      words += pieces.length;
      push(pieces.length > 1 ? { kind: 'phrase', words: pieces } : pieces.length === 1 ? termOf(pieces[0]!, analyzer) : undefined);
    } else {
      let j = i;
      while (j < text.length && !/[\s()"]/.test(text[j]!)) j++;
      const raw = text.slice(i, j);
      i = j;
      if (raw === 'AND' || raw === 'OR' || raw === 'NOT') {
        out.push({ op: raw });
        continue;
      }
      const pieces = analyzer.tokens(raw).map((t) => t.text);
      if (!pieces.length) continue;
      const last = pieces[pieces.length - 1]!;
      if (raw.endsWith('*') && last.length >= MIN_PREFIX) {
        // Kendra matches a wildcard on the characters after the last special character only.
        words++;
        push({ kind: 'prefix', word: last });
        continue;
      }
      const kept = pieces.slice(0, room());
      words += kept.length;
      // Words a dictionary cut apart stand alone; words joined by punctuation (e-mail, v1.2) make a phrase.
      if (kept.length > 1 && needsSegmenting(raw)) push(combine('or', kept.map((w) => termOf(w, analyzer))));
      else push(kept.length > 1 ? { kind: 'phrase', words: kept } : termOf(kept[0]!, analyzer));
    }
  }
  return out;
}

/** A single word; stop words are never indexed on PostgreSQL's english configuration, so no search looks for them alone (quoted or not). */
function termOf(word: string, analyzer: Analyzer): QueryNode | undefined {
  return analyzer.isStopWord(word) ? undefined : { kind: 'term', word };
}

/** The words and phrases a matching document may contain: the leaves not under a NOT. */
export function positiveLeaves(node: QueryNode | undefined, negated = false): Exclude<QueryNode, { kind: 'and' | 'or' | 'not' }>[] {
  if (!node) return [];
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.children.flatMap((c) => positiveLeaves(c, negated));
    case 'not':
      return positiveLeaves(node.child, !negated);
    default:
      return negated ? [] : [node];
  }
}

/**
 * The query with negation only where SQL full-text engines take it: either a positive expression,
 * or "every document except" one (`negated`). Inside, NOT appears only as `and.without`.
 */
export type MatchExpr =
  | { kind: 'term'; word: string }
  | { kind: 'prefix'; word: string }
  | { kind: 'phrase'; words: string[] }
  | { kind: 'and'; children: MatchExpr[]; without: MatchExpr[] }
  | { kind: 'or'; children: MatchExpr[] };

export type NormalQuery = { negated: boolean; expr: MatchExpr };

export function normalize(node: QueryNode): NormalQuery {
  switch (node.kind) {
    case 'term':
    case 'prefix':
    case 'phrase':
      return { negated: false, expr: node };
    case 'not': {
      const inner = normalize(node.child);
      return { negated: !inner.negated, expr: inner.expr };
    }
    case 'and': {
      const parts = node.children.map(normalize);
      const pos = parts.filter((p) => !p.negated).map((p) => p.expr);
      const neg = parts.filter((p) => p.negated).map((p) => p.expr);
      if (pos.length) return { negated: false, expr: neg.length || pos.length > 1 ? { kind: 'and', children: pos, without: neg } : pos[0]! };
      // Only exclusions: everything except any of them.
      return { negated: true, expr: orOf(neg) };
    }
    case 'or': {
      const parts = node.children.map(normalize);
      const pos = parts.filter((p) => !p.negated).map((p) => p.expr);
      const neg = parts.filter((p) => p.negated).map((p) => p.expr);
      if (!neg.length) return { negated: false, expr: orOf(pos) };
      // a OR NOT b OR NOT c  ==  NOT ((b AND c) AND NOT a)
      return { negated: true, expr: neg.length > 1 || pos.length ? { kind: 'and', children: neg, without: pos.length ? [orOf(pos)] : [] } : neg[0]! };
    }
  }
}

function orOf(xs: MatchExpr[]): MatchExpr {
  return xs.length === 1 ? xs[0]! : { kind: 'or', children: xs };
}
