/**
 * A normalized query (queryText.ts) in each engine's own syntax: an FTS5 MATCH expression, or a
 * PostgreSQL tsquery for to_tsquery('english', …). Words are tokenizer output (letters, digits,
 * marks), so nothing in them is syntax; quoting is belt and braces.
 */
import type { MatchExpr } from './queryText.js';

export function fts5Match(e: MatchExpr): string {
  switch (e.kind) {
    case 'term':
      return quote(e.word);
    case 'prefix':
      return `${quote(e.word)}*`;
    case 'phrase':
      return quote(e.words.join(' '));
    case 'or':
      return `(${e.children.map(fts5Match).join(' OR ')})`;
    case 'and': {
      const all = e.children.length > 1 ? `(${e.children.map(fts5Match).join(' AND ')})` : fts5Match(e.children[0]!);
      return e.without.reduce((acc, w) => `(${acc} NOT ${fts5Match(w)})`, all);
    }
  }
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function tsquery(e: MatchExpr): string {
  switch (e.kind) {
    case 'term':
      return lexeme(e.word);
    case 'prefix':
      return `${lexeme(e.word)}:*`;
    case 'phrase':
      return `(${e.words.map(lexeme).join(' <-> ')})`;
    case 'or':
      return `(${e.children.map(tsquery).join(' | ')})`;
    case 'and':
      return `(${[...e.children.map(tsquery), ...e.without.map((w) => `!${tsquery(w)}`)].join(' & ')})`;
  }
}

/** A word as a tsquery operand: quoted, so that to_tsquery still stems it but reads no operator in it. */
const lexeme = (w: string) => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
