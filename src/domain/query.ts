/**
 * Query and Retrieve: Kendra's search semantics over the full-text engine. This module checks what
 * the model cannot (one operator per filter node, sortable types, facet nesting, paging), then
 * turns the engine's ranked matches into Kendra's result items: title and excerpt with highlights,
 * attributes, a confidence bucket, ids for feedback.
 *
 * Paging follows Kendra: PageSize defaults to 10 and at most 100 results are served per query
 * (a larger PageSize serves 100, pages past the 100th result are empty); TotalNumberOfResults still
 * counts every match. Query needs an index that is ACTIVE (or UPDATING, which keeps serving).
 */
import { randomUUID } from 'node:crypto';
import { analyzerFor, type Analyzer } from '../search/analysis.js';
import { compileFilter, type AttributeFilter } from '../search/attributeFilter.js';
import { parseStoredAttributes, type Attribute, type AttributeValue, type ValueType } from '../search/attributes.js';
import type { Collapse, ContentSources, FacetCount, FacetSpec, SearchEngine, SortKey, StoredDocument } from '../search/engine.js';
import { SearchCancelled, SearchInputError } from '../search/errors.js';
import { Highlighter, type TextWithHighlights } from '../search/highlight.js';
import { LANGUAGE_KEY, queryLanguage } from '../search/language.js';
import { normalize, parseQueryText, type QueryNode } from '../search/queryText.js';
import { storableText } from '../store/storableText.js';
import type { Scope } from './arn.js';
import { conflict, invalid } from './errors.js';
import { feedbackToken } from './feedbackToken.js';
import type { Indices } from './indices.js';
import type { QueryFeatures } from './queryFeatures.js';
import type { IndexAccessSettings, UserContextInput, UserContexts } from './userContext.js';
import { userOfKeys } from './access.js';
import { loggedResults, type LoggedQuery, type LoggedResult } from './queryLog.js';
import { collapsedDetail, collapseOf, type CollapseInput, type CollapsedResultDetail } from './collapse.js';
import { relevanceFor, type FieldConfig, type RelevanceOverride } from './relevanceSettings.js';
import { indexFieldTypes } from './documents.js';

/** Characters of QueryText (the limit Kendra's model long carried; beyond 30 words Kendra ignores the rest anyway). */
export const MAX_QUERY_TEXT = 1000;
/** Results served per query, over all pages. */
export const MAX_SERVED_RESULTS = 100;
const DEFAULT_PAGE_SIZE = 10;
const DEFAULT_FACET_VALUES = 10;
const MAX_SORT_KEYS = 3;
/** Characters of a body read to choose its excerpt. */
const EXCERPT_SOURCE_CHARS = 50_000;
const QUERYABLE = new Set(['ACTIVE', 'UPDATING', 'SYSTEM_UPDATING']);

export interface FacetInput {
  DocumentAttributeKey?: string;
  Facets?: FacetInput[];
  MaxResults?: number;
}

export interface SortingInput {
  DocumentAttributeKey: string;
  SortOrder: 'ASC' | 'DESC';
}

export interface QueryInput {
  IndexId: string;
  QueryText?: string;
  AttributeFilter?: AttributeFilter;
  Facets?: FacetInput[];
  RequestedDocumentAttributes?: string[];
  QueryResultTypeFilter?: string;
  PageNumber?: number;
  PageSize?: number;
  SortingConfiguration?: SortingInput;
  SortingConfigurations?: SortingInput[];
  UserContext?: UserContextInput;
  SpellCorrectionConfiguration?: { IncludeQuerySpellCheckSuggestions: boolean };
  DocumentRelevanceOverrideConfigurations?: RelevanceOverride[];
  CollapseConfiguration?: CollapseInput;
}

export interface RetrieveInput {
  IndexId: string;
  QueryText: string;
  AttributeFilter?: AttributeFilter;
  RequestedDocumentAttributes?: string[];
  PageNumber?: number;
  PageSize?: number;
  UserContext?: UserContextInput;
  DocumentRelevanceOverrideConfigurations?: RelevanceOverride[];
}

export type ScoreConfidence = 'VERY_HIGH' | 'HIGH' | 'MEDIUM' | 'LOW' | 'NOT_AVAILABLE';

export interface QueryResultItem {
  Id: string;
  Type: 'DOCUMENT';
  AdditionalAttributes: [];
  DocumentId: string;
  DocumentTitle: TextWithHighlights;
  DocumentExcerpt: TextWithHighlights;
  DocumentURI?: string;
  DocumentAttributes: Attribute[];
  ScoreAttributes: { ScoreConfidence: ScoreConfidence };
  FeedbackToken: string;
  CollapsedResultDetail?: CollapsedResultDetail;
}

export interface FacetResult {
  DocumentAttributeKey: string;
  DocumentAttributeValueType?: string;
  DocumentAttributeValueCountPairs: { DocumentAttributeValue: AttributeValue; Count: number; FacetResults?: FacetResult[] }[];
}

export type FeaturedResultsItem = Omit<QueryResultItem, 'ScoreAttributes' | 'CollapsedResultDetail'>;

export interface QueryOutput {
  QueryId: string;
  ResultItems: QueryResultItem[];
  FeaturedResultsItems?: FeaturedResultsItem[];
  FacetResults: FacetResult[];
  TotalNumberOfResults: number;
}

type IndexSettings = IndexAccessSettings & { DocumentMetadataConfigurations?: FieldConfig[] };

export interface RetrieveResultItem {
  Id: string;
  DocumentId: string;
  DocumentTitle: string;
  Content: string;
  DocumentURI?: string;
  DocumentAttributes: Attribute[];
  ScoreAttributes: { ScoreConfidence: ScoreConfidence };
}

export class QueryService {
  constructor(
    private readonly engine: SearchEngine,
    private readonly indices: Indices,
    private readonly users: UserContexts,
    /** Thesaurus, featured results, FAQ answers, spell correction (domain/queryFeatures.ts). */
    private readonly features?: QueryFeatures,
    /** Told of every Query served (domain/queryLog.ts); it must not block. */
    private readonly served: (q: LoggedQuery) => void = () => undefined,
  ) {}

  /** `content`: only these content sources (an experience's page searches with its own). */
  async query(scope: Scope, input: QueryInput, signal?: AbortSignal, content?: ContentSources): Promise<QueryOutput> {
    return cancellable(() => this.runQuery(scope, input, signal, content));
  }

  async retrieve(scope: Scope, input: RetrieveInput, signal?: AbortSignal): Promise<{ QueryId: string; ResultItems: RetrieveResultItem[] }> {
    return cancellable(() => this.runRetrieve(scope, input, signal));
  }

  private async runQuery(scope: Scope, input: QueryInput, signal: AbortSignal | undefined, content?: ContentSources): Promise<QueryOutput> {
    const access = await this.access(scope, input.IndexId, input.UserContext);
    const filter = checkedFilter(input.IndexId, input.AttributeFilter);
    const language = queryLanguage(filter);
    const analyzer = analyzerFor(language);
    const parsed = parseText(input.QueryText, false, analyzer);
    const facets = (input.Facets ?? []).map((f, i) => facetSpec(f, `Facets[${i}]`, 1));
    const { offset, limit } = page(input.PageNumber, input.PageSize);
    const sort = await this.sortKeys(input);
    const tuning = relevanceFor(access.settings, input.DocumentRelevanceOverrideConfigurations, input.QueryText, Date.now());
    const collapse = input.CollapseConfiguration && (await this.collapse(input.IndexId, input.CollapseConfiguration, access.settings));
    const QueryId = randomUUID();
    const plan = this.features
      ? await this.features.plan({ indexId: input.IndexId, featuresVersion: access.featuresVersion, language, analyzer, text: input.QueryText, query: parsed, access, signal })
      : { query: parsed, featuredDocKeys: [], featuredIds: [] };
    const query = plan.query;
    const req = { indexId: input.IndexId, language, query, filter, access, signal, content, relevance: tuning, ...(plan.featuredIds.length ? { documentIds: { except: plan.featuredIds } } : {}) };
    const highlighter = new Highlighter(query, analyzer);
    // The features add answers ahead of the documents; the log has every result served.
    const finish = async (out: QueryOutput): Promise<QueryOutput> => {
      const done = this.features
        ? await this.features.complete(out, {
            indexId: input.IndexId, featuresVersion: access.featuresVersion, language, analyzer, text: input.QueryText, queryId: QueryId, firstPage: offset === 0, typeFilter: input.QueryResultTypeFilter,
            spellCheck: input.SpellCorrectionConfiguration?.IncludeQuerySpellCheckSuggestions === true, highlighter,
            search: req, attributes: (d) => attributesOf(d, input.RequestedDocumentAttributes),
          })
        : out;
      this.logServed(input, access, QueryId, done.TotalNumberOfResults, loggedResults(done.ResultItems));
      return done;
    };
    // Documents are wanted unless the filter asks for another type (answers come from the features, in finish).
    const documentsWanted = input.QueryResultTypeFilter === undefined || input.QueryResultTypeFilter === 'DOCUMENT';
    // Query text with nothing searchable in it (only stop words or punctuation) finds nothing; no text at all browses.
    const nothingToFind = input.QueryText !== undefined && query === undefined;
    if (!documentsWanted || nothingToFind) return finish({ QueryId, ResultItems: [], FacetResults: facets.map((f) => facetResult(f, [])), TotalNumberOfResults: 0 });

    const featuredKeys = offset === 0 ? plan.featuredDocKeys : [];
    const { ranked, documents } =
      limit > 0 || collapse
        ? await this.engine.rankPage(req, sort, offset, limit, EXCERPT_SOURCE_CHARS, featuredKeys, collapse)
        : { ranked: { total: await this.engine.countDocuments(req), topScore: 0, items: [] }, documents: await this.engine.documents(featuredKeys, EXCERPT_SOURCE_CHARS) };
    const docs = new Map(documents.map((d) => [d.docKey, d]));
    const relevance = query !== undefined && !normalize(query).negated;
    const item = (d: StoredDocument): FeaturedResultsItem => {
      const Id = `${QueryId}-${randomUUID()}`;
      return {
        Id, Type: 'DOCUMENT', AdditionalAttributes: [], DocumentId: d.documentId,
        DocumentTitle: highlighter.highlight(d.title), DocumentExcerpt: highlighter.excerpt(d.body),
        ...(d.sourceUri ? { DocumentURI: d.sourceUri } : {}),
        DocumentAttributes: attributesOf(d, input.RequestedDocumentAttributes),
        FeedbackToken: feedbackToken(QueryId, Id),
      };
    };
    const ResultItems = ranked.items.flatMap((r, i): QueryResultItem[] => {
      const d = docs.get(r.docKey);
      if (!d) return []; // removed between ranking and reading
      const result: QueryResultItem = { ...item(d), ScoreAttributes: { ScoreConfidence: relevance ? confidence(r.score, ranked.topScore) : 'NOT_AVAILABLE' } };
      if (!collapse || !r.group) return [result];
      return [{ ...result, CollapsedResultDetail: collapsedDetail(collapse, r.group, offset + i, (key) => (docs.has(key) ? item(docs.get(key)!) : undefined)) }];
    });
    const featured = featuredKeys.flatMap((k) => (docs.has(k) ? [item(docs.get(k)!)] : []));
    const FacetResults = await Promise.all(facets.map(async (f) => facetResult(f, await this.engine.facet(req, f))));
    return finish({ QueryId, ResultItems, ...(featured.length ? { FeaturedResultsItems: featured } : {}), FacetResults, TotalNumberOfResults: ranked.total });
  }

  private async runRetrieve(scope: Scope, input: RetrieveInput, signal: AbortSignal | undefined): Promise<{ QueryId: string; ResultItems: RetrieveResultItem[] }> {
    const access = await this.access(scope, input.IndexId, input.UserContext);
    const filter = checkedFilter(input.IndexId, input.AttributeFilter);
    const language = queryLanguage(filter);
    const query = parseText(input.QueryText, true, analyzerFor(language));
    const { offset, limit } = page(input.PageNumber, input.PageSize);
    const QueryId = randomUUID();
    // Only stop words (or nothing searchable): no passage can match.
    const tuning = relevanceFor(access.settings, input.DocumentRelevanceOverrideConfigurations, input.QueryText, Date.now());
    if (!query || limit === 0) return { QueryId, ResultItems: [] };
    const passages = await this.engine.rankPassages({ indexId: input.IndexId, language, query, filter, access, signal, relevance: tuning }, offset, limit);
    const docs = new Map((await this.engine.documents([...new Set(passages.items.map((p) => p.docKey))], 0)).map((d) => [d.docKey, d]));
    const relevance = !normalize(query).negated;
    const ResultItems = passages.items.flatMap((p): RetrieveResultItem[] => {
      const d = docs.get(p.docKey);
      if (!d) return [];
      return [{
        Id: `${QueryId}-${randomUUID()}`, DocumentId: d.documentId, DocumentTitle: d.title, Content: p.content,
        ...(d.sourceUri ? { DocumentURI: d.sourceUri } : {}),
        DocumentAttributes: attributesOf(d, input.RequestedDocumentAttributes),
        ScoreAttributes: { ScoreConfidence: relevance ? confidence(p.score, passages.topScore) : 'NOT_AVAILABLE' },
      }];
    });
    return { QueryId, ResultItems };
  }

  /** A Query with text goes to the query log (a browse without text has nothing to learn from). */
  private logServed(input: QueryInput, access: { principals: string[] }, queryId: string, resultCount: number, results: LoggedResult[]): void {
    if (input.QueryText === undefined) return;
    const userId = userOfKeys(access.principals);
    this.served({ indexId: input.IndexId, queryId, text: input.QueryText, filter: input.AttributeFilter, resultCount, results, ...(userId !== undefined ? { userId } : {}) });
  }

  /** The index must be searchable; the search is scoped to what the caller may see (domain/userContext.ts). */
  private async access(scope: Scope, indexId: string, uc: UserContextInput | undefined): Promise<{ principals: string[]; settings: IndexSettings; featuresVersion: number }> {
    // Read within RECENT_MS: this process's changes to the index seen at once, another process's within that.
    // A row that may not be searched is read again: only a searchable one is answered from memory.
    const held = await this.indices.recent(scope, indexId);
    const ix = QUERYABLE.has(held.status) ? held : await this.indices.get(scope, indexId);
    if (!QUERYABLE.has(ix.status)) throw conflict(`Index ${indexId} is ${ix.status}; only an ACTIVE (or UPDATING) index can be searched.`);
    const settings = JSON.parse(ix.settings) as IndexSettings;
    return { principals: await this.users.principals(indexId, settings, uc), settings, featuresVersion: Number(ix.features_version) };
  }

  /** CollapseConfiguration, checked against the key's types (its field's, and those documents hold it in). */
  private async collapse(indexId: string, c: CollapseInput, settings: IndexSettings): Promise<Collapse> {
    const sort = await this.sortKeysOf(indexId, c.SortingConfigurations ?? [], 'CollapseConfiguration.SortingConfigurations');
    return collapseOf(c, await this.engine.valueTypes(indexId, c.DocumentAttributeKey), indexFieldTypes(settings).get(c.DocumentAttributeKey), sort);
  }

  /** SortingConfiguration(s) with the stored type of each key; keys no document carries sort nothing. */
  private async sortKeys(input: QueryInput): Promise<SortKey[]> {
    if (input.SortingConfiguration && input.SortingConfigurations)
      throw invalid('Give SortingConfiguration or SortingConfigurations, not both.');
    const configs = input.SortingConfigurations ?? (input.SortingConfiguration ? [input.SortingConfiguration] : []);
    return this.sortKeysOf(input.IndexId, configs, 'SortingConfigurations');
  }

  private async sortKeysOf(indexId: string, configs: SortingInput[], path: string): Promise<SortKey[]> {
    if (configs.length > MAX_SORT_KEYS) throw invalid(`${path} has ${configs.length} fields; the limit is ${MAX_SORT_KEYS}.`);
    const keys: SortKey[] = [];
    for (const c of configs) {
      const types = await this.engine.valueTypes(indexId, c.DocumentAttributeKey);
      if (types.includes('STRING_LIST')) throw invalid(`Cannot sort by ${c.DocumentAttributeKey}: it is a string list; sort by a string, long or date attribute.`);
      const type = (['STRING', 'LONG', 'DATE'] as const).find((t) => types.includes(t));
      if (type) keys.push({ key: c.DocumentAttributeKey, order: c.SortOrder, type });
    }
    return keys;
  }
}

/** A search statement the database cancelled is the query's cost, not a server fault. */
async function cancellable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof SearchCancelled) throw invalid(`The query was cancelled: ${e.message}. Narrow its text or filter.`);
    throw e;
  }
}

function parseText(text: string | undefined, required: boolean, analyzer: Analyzer): QueryNode | undefined {
  if (text === undefined) return undefined;
  if (text.length > MAX_QUERY_TEXT) throw invalid(`QueryText is ${text.length} characters long; the limit is ${MAX_QUERY_TEXT}.`);
  if (required && !text.trim()) throw invalid('QueryText must not be empty.');
  return parseQueryText(storableText(text), analyzer);
}

function checkedFilter(indexId: string, filter: AttributeFilter | undefined): AttributeFilter | undefined {
  if (!filter) return undefined;
  try {
    compileFilter(indexId, filter);
  } catch (e) {
    if (e instanceof SearchInputError) throw invalid(e.message);
    throw e;
  }
  return filter;
}

/** The slice of the first 100 results a page covers (empty past them). */
function page(pageNumber = 1, pageSize = DEFAULT_PAGE_SIZE): { offset: number; limit: number } {
  if (!Number.isInteger(pageNumber) || pageNumber < 1) throw invalid(`PageNumber must be 1 or more; got ${pageNumber}.`);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw invalid(`PageSize must be 1 or more; got ${pageSize}.`);
  const size = Math.min(pageSize, MAX_SERVED_RESULTS);
  const offset = (pageNumber - 1) * size;
  return { offset, limit: Math.max(0, Math.min(size, MAX_SERVED_RESULTS - offset)) };
}

function facetSpec(f: FacetInput, path: string, depth: number): FacetSpec {
  if (!f.DocumentAttributeKey) throw invalid(`${path}.DocumentAttributeKey is required.`);
  const nested = f.Facets ?? [];
  // Kendra: one nested facet per facet, two levels in all.
  if (nested.length > 1) throw invalid(`${path}.Facets has ${nested.length} facets; a facet nests at most one.`);
  if (nested.length && depth >= 2) throw invalid(`${path}.Facets: facets nest two levels deep at most.`);
  return {
    key: f.DocumentAttributeKey,
    maxResults: f.MaxResults ?? DEFAULT_FACET_VALUES,
    ...(nested.length ? { nested: facetSpec(nested[0]!, `${path}.Facets[0]`, depth + 1) } : {}),
  };
}

const TYPE_NAMES: Record<ValueType, string> = { STRING: 'STRING_VALUE', STRING_LIST: 'STRING_LIST_VALUE', LONG: 'LONG_VALUE', DATE: 'DATE_VALUE' };

function facetResult(spec: FacetSpec, counts: FacetCount[]): FacetResult {
  const type = counts[0]?.type;
  return {
    DocumentAttributeKey: spec.key,
    ...(type ? { DocumentAttributeValueType: TYPE_NAMES[type] } : {}),
    DocumentAttributeValueCountPairs: counts.map((c) => ({
      DocumentAttributeValue: c.type === 'LONG' ? { LongValue: c.value as number } : c.type === 'DATE' ? { DateValue: new Date(c.value as number) } : { StringValue: c.value as string },
      Count: c.count,
      ...(spec.nested ? { FacetResults: [facetResult(spec.nested, c.nested ?? [])] } : {}),
    })),
  };
}

/** The document's attributes (all, or those asked for), _data_source_id and _language_code included. */
function attributesOf(d: StoredDocument, requested: string[] | undefined): Attribute[] {
  const attrs = parseStoredAttributes(d.attributes, d).filter((a) => a.Key !== '_data_source_id' && a.Key !== LANGUAGE_KEY);
  if (d.dataSourceId) attrs.unshift({ Key: '_data_source_id', Value: { StringValue: d.dataSourceId } });
  attrs.push({ Key: LANGUAGE_KEY, Value: { StringValue: d.languageCode } });
  if (!requested) return attrs;
  const wanted = new Set(requested);
  return attrs.filter((a) => wanted.has(a.Key));
}

/** Relevance relative to the best match of the query: Kendra's buckets, from the engine's score. */
export function confidence(score: number, top: number): ScoreConfidence {
  if (!(top > 0)) return 'NOT_AVAILABLE';
  const r = score / top;
  return r >= 0.75 ? 'VERY_HIGH' : r >= 0.5 ? 'HIGH' : r >= 0.25 ? 'MEDIUM' : 'LOW';
}

