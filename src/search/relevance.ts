/**
 * Relevance tuning in the ranking (Kendra's Relevance of an index field, or a query's override):
 * each tuned field adds a boost in [0, weight] to a document, and the document's score becomes
 *
 *     tuned = text score × (1 + Σ boosts)        (a search without text: 1 + Σ boosts)
 *
 * with weight = Importance / 10. What a field's boost measures depends on its type:
 * - DATE with Freshness: D / (D + age), D the Duration, age the time since the date (1 for dates
 *   not past): newer documents first, the boost halving at an age of one Duration.
 * - LONG, or DATE with RankOrder: the value's place between the smallest and largest among the
 *   matches (ASCENDING: the largest scores 1; DESCENDING: the smallest does).
 * - STRING / STRING_LIST: a value in ValueImportanceMap boosts by its own importance / 10; any other
 *   value boosts by the field's weight when the query names it (a word or run of words of the query).
 * A document without a value of a tuned field gets no boost from it. `_document_title` and
 * `_document_body` are not attributes: their Importance scales the weight of a text match in the
 * title or body (Importance / 5: 5 keeps the engines' weights), which each backend applies in its
 * own scoring (fts5.ts, postgres.ts). The arithmetic is SQL on
 * doubles, the same on both backends, so equal inputs rank alike (ties by document id, as always).
 */
import { attributeRows } from './attributeRows.js';
import { join, list, raw, sql, type Sql } from './sql.js';

export interface TunedField {
  key: string;
  type: 'STRING' | 'STRING_LIST' | 'LONG' | 'DATE';
  /** Importance / 10. */
  weight: number;
  /** DATE: the Duration in milliseconds over which freshness halves. */
  freshnessMs?: number;
  rankOrder?: 'ASCENDING' | 'DESCENDING';
  /** STRING / STRING_LIST: value -> its importance / 10. */
  values?: Record<string, number>;
}

/** `_document_title` / `_document_body` Importance: factors on the weight of a match in the title or body (5 is 1). */
export interface TextWeights {
  title: number;
  body: number;
}

export interface Relevance {
  fields: TunedField[];
  /** How much a match in the title and in the body counts, when tuned. */
  text?: TextWeights;
  /** The time freshness is measured from (epoch ms). */
  now: number;
  /** Words and runs of words of the query, as a string value would equal them. */
  phrases: string[];
}

/** Columns r0, r1… of each match (to be selected next to `d.doc_key`): the raw material of each field's boost. */
export function relevanceColumns(r: Relevance): Sql {
  return join(r.fields.map((f, i) => sql`, ${fieldValue(f, r.phrases)} AS r${raw(String(i))}`), '');
}

/**
 * `SELECT t.*, <tuned score> AS tuned FROM (inner) t`: `inner` selects `score` and relevanceColumns.
 * Numeric boosts are placed among all matches (window functions over the whole result).
 */
export function tunedScores(r: Relevance, inner: Sql, hasText: boolean): Sql {
  const boosts = r.fields.map((f, i) => boost(f, `t.r${i}`, r.now));
  const base = hasText ? raw('t.score') : raw('1.0');
  return sql`SELECT t.*, ${base} * (1.0 + ${boosts.length ? join(boosts, ' + ') : raw('0.0')}) AS tuned FROM (${inner}) t`;
}

function fieldValue(f: TunedField, phrases: string[]): Sql {
  const of = (column: Sql, types: string[]) =>
    sql`(SELECT ${column} FROM ${attributeRows(f.key)} a WHERE a.doc_key = d.doc_key AND a.key = ${f.key} AND a.value_type IN (${list(types)}))`;
  if (f.type === 'LONG' || f.type === 'DATE') return of(raw('max(a.num)'), [f.type]);
  // A string's boost: the best of its values (a string list's elements each count).
  const cases = Object.entries(f.values ?? {}).map(([value, w]) => sql` WHEN a.str = ${value} THEN ${raw(literal(w))}`);
  const named = phrases.length ? sql` WHEN a.str IN (${list(phrases)}) THEN ${raw(literal(f.weight))}` : raw('');
  if (!cases.length && !phrases.length) return raw('0.0');
  return sql`COALESCE(${of(sql`max(CASE${join(cases, '')}${named} ELSE 0.0 END)`, [f.type])}, 0.0)`;
}

function boost(f: TunedField, col: string, now: number): Sql {
  const w = literal(f.weight);
  if (f.type === 'STRING' || f.type === 'STRING_LIST') return raw(col);
  if (f.type === 'DATE' && f.freshnessMs !== undefined) {
    const d = literal(f.freshnessMs);
    return sql`(CASE WHEN ${raw(col)} IS NULL THEN 0.0 WHEN ${raw(col)} >= CAST(${now} AS BIGINT) THEN ${raw(w)} ELSE ${raw(`${w} * ${d}`)} / (${raw(d)} + (CAST(${now} AS BIGINT) - ${raw(col)})) END)`;
  }
  if (f.type === 'DATE' && !f.rankOrder) return raw('0.0');
  const lo = `min(${col}) OVER ()`;
  const hi = `max(${col}) OVER ()`;
  const place = f.rankOrder === 'DESCENDING' ? `(${hi} - ${col})` : `(${col} - ${lo})`;
  return raw(`(CASE WHEN ${col} IS NULL THEN 0.0 WHEN ${hi} = ${lo} THEN ${w} ELSE ${w} * CAST(${place} AS DOUBLE PRECISION) / CAST(${hi} - ${lo} AS DOUBLE PRECISION) END)`);
}

/** A number as an SQL double literal (weights and durations are computed, never user text). */
function literal(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return Number.isInteger(n) ? `${n}.0` : String(n);
}
