/**
 * A normalized query (queryText.ts) in each engine's own syntax: an FTS5 MATCH expression, or a
 * PostgreSQL tsquery for to_tsquery('english' or 'simple', …), its words as the query language's
 * analysis matches them (analysis.ts). Words are tokenizer output (letters, digits, marks), so
 * nothing in them is syntax; quoting is belt and braces.
 */
import type { Analyzer } from './analysis.js';
import type { MatchExpr } from './queryText.js';

export function fts5Match(e: MatchExpr, a: Analyzer): string {
  const sub = (x: MatchExpr) => fts5Match(x, a);
  switch (e.kind) {
    case 'term':
      return quote(a.matchTerm(e.word));
    case 'prefix':
      return `${quote(a.matchPrefix(e.word))}*`;
    case 'phrase':
      return quote(e.words.map((w) => a.matchTerm(w)).join(' '));
    case 'or':
      return `(${e.children.map(sub).join(' OR ')})`;
    case 'and': {
      const all = e.children.length > 1 ? `(${e.children.map(sub).join(' AND ')})` : sub(e.children[0]!);
      return e.without.reduce((acc, w) => `(${acc} NOT ${sub(w)})`, all);
    }
  }
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function tsquery(e: MatchExpr, a: Analyzer): string {
  const sub = (x: MatchExpr) => tsquery(x, a);
  switch (e.kind) {
    case 'term':
      return lexeme(a.matchTerm(e.word));
    case 'prefix':
      return `${lexeme(a.matchPrefix(e.word))}:*`;
    case 'phrase':
      return `(${e.words.map((w) => lexeme(a.matchTerm(w))).join(' <-> ')})`;
    case 'or':
      return `(${e.children.map(sub).join(' | ')})`;
    case 'and':
      return `(${[...e.children.map(sub), ...e.without.map((w) => `!${sub(w)}`)].join(' & ')})`;
  }
}

/** A word as a tsquery operand: quoted, so that to_tsquery still stems it but reads no operator in it. */
const lexeme = (w: string) => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
