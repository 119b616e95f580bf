/**
 * Kendra's document languages: every document has a `_language_code` (its own attribute, else its
 * data source's LanguageCode, else the index default `en`), and Query / Retrieve search one language
 * at a time: the one an `_language_code` EqualsTo filter names, else English.
 */
import type { AttributeFilter } from './attributeFilter.js';
import type { Attribute } from './attributes.js';

export const LANGUAGE_KEY = '_language_code';
export const DEFAULT_LANGUAGE = 'en';

/** The model's LanguageCode: 2 to 10 letters and hyphens (`en`, `ja`, `pt-BR`). */
const LANGUAGE_CODE = /^[a-zA-Z-]{2,10}$/;

/** Why a value cannot be a language code, or undefined when it can. */
export function languageCodeProblem(value: string): string | undefined {
  return LANGUAGE_CODE.test(value) ? undefined : `must be a language code of 2 to 10 letters and hyphens, such as en, ja or pt-BR; got ${JSON.stringify(value)}`;
}

/** The language a document is indexed in: its own `_language_code`, else the data source's, else `en`. */
export function documentLanguage(attributes: Attribute[], dataSourceLanguage: string | null | undefined): string {
  return attributes.find((a) => a.Key === LANGUAGE_KEY)?.Value.StringValue ?? dataSourceLanguage ?? DEFAULT_LANGUAGE;
}

/**
 * The language a query searches: an EqualsTo on `_language_code` at the top of the filter or among
 * the filters an AndAllFilters requires (where it holds for every match), else English.
 */
export function queryLanguage(filter: AttributeFilter | undefined): string {
  return filter ? chosenLanguage(filter) ?? DEFAULT_LANGUAGE : DEFAULT_LANGUAGE;
}

function chosenLanguage(filter: AttributeFilter): string | undefined {
  const eq = filter.EqualsTo;
  if (eq?.Key === LANGUAGE_KEY && typeof eq.Value?.StringValue === 'string') return eq.Value.StringValue;
  for (const child of filter.AndAllFilters ?? []) {
    const found = chosenLanguage(child);
    if (found !== undefined) return found;
  }
  return undefined;
}
