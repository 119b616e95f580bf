/**
 * Relevance tuning settings: the index's DocumentMetadataConfiguration[].Relevance, overridden per
 * field by a Query's (or Retrieve's) DocumentRelevanceOverrideConfigurations, checked as Kendra
 * checks them and turned into what the engine ranks with (search/relevance.ts).
 *
 * Kendra's rules: Freshness and Duration apply to DATE fields, RankOrder to LONG (and DATE) fields,
 * ValueImportanceMap to STRING and STRING_LIST fields; one field of the index at most is the
 * Freshness field; a STRING_LIST field can be tuned at the index level only; an override names a
 * field of the index, once. An override replaces the field's whole Relevance for that query.
 * Importance defaults to 5 and Duration to three months (Kendra's documented default).
 */
import type { Relevance as Tuning, TextWeights, TunedField } from '../search/relevance.js';
import { indexFieldTypes } from './documents.js';
import { invalid } from './errors.js';

export interface RelevanceInput {
  Freshness?: boolean;
  Importance?: number;
  Duration?: string;
  RankOrder?: 'ASCENDING' | 'DESCENDING';
  ValueImportanceMap?: Record<string, number>;
}

export interface FieldConfig {
  Name: string;
  Type: string;
  Relevance?: RelevanceInput;
}

export interface RelevanceOverride {
  Name: string;
  Relevance: RelevanceInput;
}

const DEFAULT_IMPORTANCE = 5;
/** Three months, as Kendra's Duration defaults. */
const DEFAULT_DURATION_S = 90 * 24 * 3600;
/** Query words that can name a string value together (a run of up to this many). */
const PHRASE_WORDS = 4;
/** Kendra reads the first 30 words of a query. */
const QUERY_WORDS = 30;

/** Text fields, not attributes: their Importance weighs a match in the title or body (Importance / 5; 5 leaves it as is). */
const TEXT_FIELDS: Record<string, keyof TextWeights> = { _document_title: 'title', _document_body: 'body' };
const NEUTRAL_TEXT_IMPORTANCE = 5;
/**
 * kendrite's bounds (Kendra documents none), so that a search's statement stays within the
 * databases' parameter limits: each tuned string field compares its values with the query's words.
 */
export const MAX_TUNED_STRING_FIELDS = 20;
export const MAX_VALUE_IMPORTANCES = 1000;

const TYPE_OF: Record<string, TunedField['type']> = { STRING_VALUE: 'STRING', STRING_LIST_VALUE: 'STRING_LIST', LONG_VALUE: 'LONG', DATE_VALUE: 'DATE' };

/** CreateIndex / UpdateIndex: each field's Relevance fits its type, and one field at most is the Freshness field. */
export function checkIndexRelevance(fields: FieldConfig[], path = 'DocumentMetadataConfigurations'): void {
  fields.forEach((f) => f.Relevance && checkFits(`${path}[${f.Name}].Relevance`, f.Name, TYPE_OF[f.Type], f.Relevance));
  oneFreshnessField(fields.flatMap((f) => (f.Relevance ? [[f.Name, f.Relevance] as const] : [])));
  checkBounds(fields.flatMap((f) => (f.Relevance ? [[f.Name, TYPE_OF[f.Type], f.Relevance] as const] : [])));
}

function oneFreshnessField(tuned: (readonly [string, RelevanceInput])[]): void {
  const fresh = tuned.filter(([, r]) => r.Freshness === true).map(([name]) => name);
  if (fresh.length > 1) throw invalid(`Freshness is set on ${fresh.join(', ')}; only one DATE field of an index can be its Freshness field.`);
}

function checkBounds(tuned: (readonly [string, TunedField['type'] | undefined, RelevanceInput])[]): void {
  const strings = tuned.filter(([name, type]) => !TEXT_FIELDS[name] && (type === 'STRING' || type === 'STRING_LIST')).length;
  if (strings > MAX_TUNED_STRING_FIELDS) throw invalid(`${strings} string fields are tuned; kendrite tunes at most ${MAX_TUNED_STRING_FIELDS} in one search.`);
  const values = tuned.reduce((n, [, , r]) => n + Object.keys(r.ValueImportanceMap ?? {}).length, 0);
  if (values > MAX_VALUE_IMPORTANCES) throw invalid(`ValueImportanceMap holds ${values} values in all; kendrite takes at most ${MAX_VALUE_IMPORTANCES} in one search.`);
}

/**
 * The tuning a search ranks with: the index's fields' Relevance with the overrides applied, or
 * undefined when nothing is tuned. `queryText`: a string value it names is boosted.
 */
export function relevanceFor(settings: { DocumentMetadataConfigurations?: FieldConfig[] }, overrides: RelevanceOverride[] | undefined, queryText: string | undefined, now: number): Tuning | undefined {
  const types = indexFieldTypes(settings);
  const tuned = new Map<string, RelevanceInput>();
  for (const f of settings.DocumentMetadataConfigurations ?? []) if (f.Relevance) tuned.set(f.Name, f.Relevance);
  const seen = new Set<string>();
  (overrides ?? []).forEach((o, i) => {
    const path = `DocumentRelevanceOverrideConfigurations[${i}]`;
    if (seen.has(o.Name)) throw invalid(`${path}: the field ${o.Name} is overridden more than once.`);
    seen.add(o.Name);
    const type = TEXT_FIELDS[o.Name] ? 'STRING_VALUE' : types.get(o.Name);
    if (!type) throw invalid(`${path}: ${o.Name} is not a field of the index; add it with UpdateIndex's DocumentMetadataConfigurationUpdates first.`);
    if (type === 'STRING_LIST_VALUE') throw invalid(`${path}: ${o.Name} is a STRING_LIST field; string lists are tuned at the index level only.`);
    checkFits(`${path}.Relevance`, o.Name, TYPE_OF[type], o.Relevance);
    tuned.set(o.Name, o.Relevance);
  });
  oneFreshnessField([...tuned]);
  checkBounds([...tuned].map(([name, r]) => [name, TYPE_OF[types.get(name) ?? ''], r] as const));
  const text: TextWeights = { title: 1, body: 1 };
  const fields = [...tuned].flatMap(([name, r]) => {
    if (TEXT_FIELDS[name]) {
      text[TEXT_FIELDS[name]] = (r.Importance ?? NEUTRAL_TEXT_IMPORTANCE) / NEUTRAL_TEXT_IMPORTANCE;
      return [];
    }
    const type = TYPE_OF[types.get(name) ?? ''];
    return type ? [tunedField(name, type, r)] : [];
  });
  const weighted = text.title !== 1 || text.body !== 1;
  if (!fields.length && !weighted) return undefined;
  const strings = fields.some((f) => f.type === 'STRING' || f.type === 'STRING_LIST');
  return { fields, now, phrases: strings && queryText ? phrasesOf(queryText) : [], ...(weighted ? { text } : {}) };
}

function checkFits(path: string, name: string, type: TunedField['type'] | undefined, r: RelevanceInput): void {
  if (TEXT_FIELDS[name] && (r.Freshness !== undefined || r.Duration !== undefined || r.RankOrder !== undefined || r.ValueImportanceMap !== undefined))
    throw invalid(`${path}: ${name} is the document's text; only its Importance can be tuned.`);
  const not = (member: string, types: string) => invalid(`${path}.${member}: ${name} is a ${type ?? 'field of unknown type'} field; ${member} applies to ${types} fields only.`);
  if (r.Freshness === true && type !== 'DATE') throw not('Freshness', 'DATE');
  if (r.Duration !== undefined && type !== 'DATE') throw not('Duration', 'DATE');
  if (r.RankOrder !== undefined && type !== 'LONG' && type !== 'DATE') throw not('RankOrder', 'LONG and DATE');
  if (r.ValueImportanceMap !== undefined && type !== 'STRING' && type !== 'STRING_LIST') throw not('ValueImportanceMap', 'STRING and STRING_LIST');
  if (r.Duration !== undefined && durationSeconds(r.Duration) === 0) throw invalid(`${path}.Duration: ${r.Duration} is no time; give a number of seconds above 0, such as "2628000s".`);
}

function tunedField(key: string, type: TunedField['type'], r: RelevanceInput): TunedField {
  const field: TunedField = { key, type, weight: (r.Importance ?? DEFAULT_IMPORTANCE) / 10 };
  if (r.Freshness === true) field.freshnessMs = (r.Duration !== undefined ? durationSeconds(r.Duration) : DEFAULT_DURATION_S) * 1000;
  if (r.RankOrder) field.rankOrder = r.RankOrder;
  if (r.ValueImportanceMap) field.values = Object.fromEntries(Object.entries(r.ValueImportanceMap).map(([v, imp]) => [v, imp / 10]));
  return field;
}

/** "2628000s" -> 2628000 (the model's pattern, [0-9]+[s], is checked before). */
function durationSeconds(d: string): number {
  return Number(d.slice(0, -1));
}

/** The query's words and runs of words, as typed, lower case, upper case and capitalized. */
export function phrasesOf(text: string): string[] {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(0, QUERY_WORDS);
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++)
    for (let n = 1; n <= PHRASE_WORDS && i + n <= words.length; n++) {
      const p = words.slice(i, i + n).join(' ');
      const lower = p.toLowerCase();
      for (const v of [p, lower, p.toUpperCase(), lower.replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase())]) out.add(v);
    }
  return [...out];
}
