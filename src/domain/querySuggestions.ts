/**
 * Query suggestions, as Kendra's developer guide describes them:
 *
 * - From the query history (SuggestionTypes QUERY, the default): a query of the log is suggested
 *   when what the user types is a prefix of it. Both are compared lower-cased, without quotation
 *   marks, white space collapsed (queryLog.ts normalizeQueryText). A prefix of fewer than 2 or more
 *   than 60 characters gets no suggestion. A query is eligible when, within the last
 *   QueryLogLookBackWindowInDays (and since the last ClearQuerySuggestions), it was searched at least
 *   MinimumQueryCount times — counting only searches by known users, by at least
 *   MinimumNumberOfQueryingUsers distinct users, when IncludeQueriesWithoutUserInformation is false —
 *   it found at least one result, it has a word of more than four characters, and no block list
 *   word or phrase is in it. The most searched come first. Mode LEARN_ONLY keeps learning but
 *   suggests nothing.
 * - From document fields (DOCUMENT_ATTRIBUTES): values of the fields marked Suggestable
 *   (`_document_title` by default) that start with the prefix, from documents the caller may see
 *   (AttributeSuggestionsConfig.UserContext) and that pass its AttributeFilter; the values most
 *   documents carry come first, each with its SourceDocuments. AttributeSuggestionsMode INACTIVE
 *   turns these off.
 *
 * Query suggestions are served from a prefix structure in memory (search/suggestionIndex.ts), built
 * from the log grouped by text; it is rebuilt when the log has grown, at most every
 * `suggestionsRefreshMs`, and at once when the settings, a block list or a clear changes what is eligible.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { QueryTextStats } from '../store/queryLog.js';
import type { SearchEngine } from '../search/engine.js';
import { compileFilter, type AttributeFilter } from '../search/attributeFilter.js';
import { parseStoredAttributes, type Attribute } from '../search/attributes.js';
import { SearchInputError } from '../search/errors.js';
import { SuggestionIndex, type SuggestionEntry } from '../search/suggestionIndex.js';
import { queryLanguage } from '../search/language.js';
import type { Scope } from './arn.js';
import { blockedBy } from './blockLists.js';
import type { Clock } from './clock.js';
import { invalid } from './errors.js';
import type { Indices } from './indices.js';
import { normalizeQueryText, type QueryLog } from './queryLog.js';
import type { IndexAccessSettings, UserContextInput, UserContexts } from './userContext.js';

export const MIN_PREFIX = 2;
export const MAX_PREFIX = 60;
const DEFAULT_MAX_SUGGESTIONS = 10;
const MAX_SUGGESTIONS = 100;
/** Documents whose field values are read to suggest from, at most, per request. */
const MAX_FIELD_CANDIDATES = 1000;
const DAY_MS = 86_400_000;

export interface SuggestableConfig {
  AttributeName?: string;
  Suggestable?: boolean;
}

export interface SuggestionSettings {
  Mode: 'ENABLED' | 'LEARN_ONLY';
  QueryLogLookBackWindowInDays: number;
  IncludeQueriesWithoutUserInformation: boolean;
  MinimumNumberOfQueryingUsers: number;
  MinimumQueryCount: number;
  AttributeSuggestionsConfig: { SuggestableConfigList: SuggestableConfig[]; AttributeSuggestionsMode: 'ACTIVE' | 'INACTIVE' };
}

/** Kendra's defaults (the developer guide: 180 days, 3 users; both kinds of suggestions active). */
export const DEFAULT_SETTINGS: SuggestionSettings = {
  Mode: 'ENABLED',
  QueryLogLookBackWindowInDays: 180,
  IncludeQueriesWithoutUserInformation: true,
  MinimumNumberOfQueryingUsers: 3,
  MinimumQueryCount: 5,
  AttributeSuggestionsConfig: { SuggestableConfigList: [{ AttributeName: '_document_title', Suggestable: true }], AttributeSuggestionsMode: 'ACTIVE' },
};

export interface SettingsUpdate {
  IndexId: string;
  Mode?: 'ENABLED' | 'LEARN_ONLY';
  QueryLogLookBackWindowInDays?: number;
  IncludeQueriesWithoutUserInformation?: boolean;
  MinimumNumberOfQueryingUsers?: number;
  MinimumQueryCount?: number;
  AttributeSuggestionsConfig?: { SuggestableConfigList?: SuggestableConfig[]; AttributeSuggestionsMode?: 'ACTIVE' | 'INACTIVE' };
}

export interface GetSuggestionsInput {
  IndexId: string;
  QueryText: string;
  MaxSuggestionsCount?: number;
  SuggestionTypes?: ('QUERY' | 'DOCUMENT_ATTRIBUTES')[];
  AttributeSuggestionsConfig?: {
    SuggestionAttributes?: string[];
    AdditionalResponseAttributes?: string[];
    AttributeFilter?: AttributeFilter;
    UserContext?: UserContextInput;
  };
}

export interface Suggestion {
  Id: string;
  Value: { Text: { Text: string; Highlights: { BeginOffset: number; EndOffset: number }[] } };
  SourceDocuments?: { DocumentId: string; SuggestionAttributes: string[]; AdditionalAttributes: Attribute[] }[];
}

/**
 * GetQuerySuggestions' answer as the domain gives it (the answer's QuerySuggestionsId is the api's to make): the texts of the suggestions from the log,
 * then the suggestions from document fields. No object is made per suggestion from the log (nor its
 * id): api/querySuggestions.ts writes the JSON straight from the texts, every one highlighted over
 * [0, prefixLength). What a request allocates decides how often the young generation is collected,
 * and a collection is a request's tail latency.
 */
export interface SuggestionsAnswer {
  /** The log's suggestions, best first. */
  queryTexts: string[];
  prefixLength: number;
  /** Suggestions from document fields, after the log's. */
  fields: Suggestion[];
}

const QUERY_ONLY: readonly string[] = ['QUERY'];

interface Built {
  index: SuggestionIndex;
  /** The settings it was built with (read again at each build: another process may change them). */
  settings: SuggestionSettings;
  /**
   * The index's suggestions_version read before the build read the settings and block lists: triggers
   * bump it at every change to them (store/migrations/featureTables.ts), by this process or another
   * sharing the database. A request whose index row shows another version rebuilds. What a build read
   * is never older than its version (at worst newer, which costs one more build).
   */
  version: number;
  builtAt: number;
  /**
   * When it was last found current (built, or the log found not to have grown since): until
   * refreshMs after that it is served without looking (not: every request from refreshMs after the
   * build on read the log's last sequence number, and awaited the store for it).
   */
  checkedAt: number;
  /** The log's last sequence number the build saw. */
  seq: number;
  /** The log grew (in this process) since the build. */
  grown: boolean;
}

export class QuerySuggestions {
  private readonly built = new Map<string, Built>();
  /** Builds under way, each for the version it was started for. */
  private readonly building = new Map<string, Promise<Built> & { version: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly engine: SearchEngine,
    private readonly users: UserContexts,
    private readonly log: QueryLog,
    private readonly refreshMs: number,
  ) {
    log.onWritten((ids) => {
      for (const id of ids) {
        const b = this.built.get(id);
        if (b) b.grown = true;
      }
    });
  }

  async describeConfig(scope: Scope, indexId: string) {
    const ix = await this.indices.get(scope, indexId);
    const { settings, lastClear } = await this.settings(indexId);
    const built = await this.current(indexId, Number(ix.suggestions_version));
    return {
      ...settings,
      Status: 'ACTIVE' as const,
      LastSuggestionsBuildTime: new Date(built.builtAt),
      ...(lastClear !== null ? { LastClearTime: new Date(lastClear) } : {}),
      TotalSuggestionsCount: built.index.count,
    };
  }

  async updateConfig(scope: Scope, input: SettingsUpdate): Promise<void> {
    await this.indices.getActive(scope, input.IndexId);
    const { settings, lastClear } = await this.settings(input.IndexId);
    if (input.QueryLogLookBackWindowInDays !== undefined && !(input.QueryLogLookBackWindowInDays >= 1))
      throw invalid(`QueryLogLookBackWindowInDays must be 1 or more; got ${input.QueryLogLookBackWindowInDays}.`);
    const attr = input.AttributeSuggestionsConfig;
    for (const [i, c] of (attr?.SuggestableConfigList ?? []).entries())
      if (!c.AttributeName) throw invalid(`AttributeSuggestionsConfig.SuggestableConfigList[${i}].AttributeName is required.`);
    const next: SuggestionSettings = {
      Mode: input.Mode ?? settings.Mode,
      QueryLogLookBackWindowInDays: input.QueryLogLookBackWindowInDays ?? settings.QueryLogLookBackWindowInDays,
      IncludeQueriesWithoutUserInformation: input.IncludeQueriesWithoutUserInformation ?? settings.IncludeQueriesWithoutUserInformation,
      MinimumNumberOfQueryingUsers: input.MinimumNumberOfQueryingUsers ?? settings.MinimumNumberOfQueryingUsers,
      MinimumQueryCount: input.MinimumQueryCount ?? settings.MinimumQueryCount,
      AttributeSuggestionsConfig: {
        // A partial update: the fields named change, the others stay as they were.
        SuggestableConfigList: mergeSuggestable(settings.AttributeSuggestionsConfig.SuggestableConfigList, attr?.SuggestableConfigList ?? []),
        AttributeSuggestionsMode: attr?.AttributeSuggestionsMode ?? settings.AttributeSuggestionsConfig.AttributeSuggestionsMode,
      },
    };
    await this.store.querySuggestions.saveSettings({ index_id: input.IndexId, settings: JSON.stringify(next), last_clear_time: lastClear, updated_at: this.clock() });
    this.invalidate(input.IndexId);
  }

  /** ClearQuerySuggestions: what was learned so far is forgotten; learning starts again from now. */
  async clear(scope: Scope, indexId: string): Promise<void> {
    await this.indices.get(scope, indexId);
    await this.log.flush();
    const { settings } = await this.settings(indexId);
    await this.store.querySuggestions.saveSettings({ index_id: indexId, settings: JSON.stringify(settings), last_clear_time: this.clock(), updated_at: this.clock() });
    this.invalidate(indexId);
  }

  /**
   * The settings or a block list changed: the next request rebuilds, with the index row read again
   * (it holds the suggestions_version the change bumped; built under the version before, the
   * structure would be built once more when the row held was next read).
   */
  invalidate(indexId: string): void {
    this.built.delete(indexId);
    this.indices.forgetRecent(indexId);
  }

  /**
   * GetQuerySuggestions' answer. The usual request — suggestions from the log only, its index's row
   * held from a recent read and the structure fresh — is answered at once, without a promise: the
   * request takes no turn of the event loop (each made a few promises and closures, ~1 KB a request,
   * and the microtask hops between them). Any other is answered by `answerLater`, which reads or
   * builds what is missing first; both give the same answers and the same errors.
   */
  get(scope: Scope, input: GetSuggestionsInput): SuggestionsAnswer | Promise<SuggestionsAnswer> {
    const types: readonly string[] = input.SuggestionTypes?.length ? input.SuggestionTypes : QUERY_ONLY;
    if (!types.includes('DOCUMENT_ATTRIBUTES')) {
      const ix = this.indices.held(scope, input.IndexId);
      const built = ix && this.fresh(input.IndexId, Number(ix.suggestions_version));
      if (built) return this.fromLog(input, types, built).answer;
    }
    return this.answerLater(scope, input, types);
  }

  private async answerLater(scope: Scope, input: GetSuggestionsInput, types: readonly string[]): Promise<SuggestionsAnswer> {
    const fromFields = types.includes('DOCUMENT_ATTRIBUTES');
    // Field suggestions read the index's access settings as they are now; suggestions from the log need the index to exist.
    const ix = fromFields ? await this.indices.get(scope, input.IndexId) : (this.indices.held(scope, input.IndexId) ?? (await this.indices.recent(scope, input.IndexId)));
    // Checked before a build is waited for (and again by fromLog, which every answer goes through).
    maxSuggestions(input);
    const version = Number(ix.suggestions_version);
    const built = this.fresh(input.IndexId, version) ?? (await this.current(input.IndexId, version));
    const { answer, prefix, max } = this.fromLog(input, types, built);
    if (prefix === undefined) return answer;
    const settings = built.settings;
    const attrConfig = input.AttributeSuggestionsConfig;
    if (fromFields && settings.AttributeSuggestionsConfig.AttributeSuggestionsMode === 'ACTIVE' && answer.queryTexts.length < max) {
      const suggestable = settings.AttributeSuggestionsConfig.SuggestableConfigList.filter((c) => c.Suggestable).map((c) => c.AttributeName!);
      const asked = attrConfig?.SuggestionAttributes;
      const unknown = asked?.find((a) => !suggestable.includes(a));
      if (unknown !== undefined) throw invalid(`SuggestionAttributes names ${unknown}, which is not suggestable; mark it Suggestable with UpdateQuerySuggestionsConfig first.`);
      const principals = await this.users.principals(input.IndexId, JSON.parse(ix.settings) as IndexAccessSettings, attrConfig?.UserContext);
      answer.fields = await this.fieldSuggestions(input.IndexId, asked ?? suggestable, prefix, attrConfig?.AttributeFilter, principals, attrConfig?.AdditionalResponseAttributes, max - answer.queryTexts.length);
    }
    return answer;
  }

  /**
   * The request checked (MaxSuggestionsCount, the AttributeFilter) and the log's suggestions from
   * `built`; `prefix` is undefined when the text typed is too short or too long to suggest anything for.
   */
  private fromLog(input: GetSuggestionsInput, types: readonly string[], built: Built): { answer: SuggestionsAnswer; prefix?: string; max: number } {
    const max = maxSuggestions(input);
    const prefix = normalizeQueryText(input.QueryText);
    const filter = input.AttributeSuggestionsConfig?.AttributeFilter;
    if (filter) checkFilter(input.IndexId, filter);
    const answer: SuggestionsAnswer = { queryTexts: [], prefixLength: prefix.length, fields: [] };
    const characters = codePoints(prefix);
    if (characters < MIN_PREFIX || characters > MAX_PREFIX) return { answer, max };
    if (types.includes('QUERY') && built.settings.Mode === 'ENABLED') {
      const { index } = built;
      const n = index.topPositions(prefix, max);
      const found = index.found();
      for (let i = 0; i < n; i++) answer.queryTexts.push(index.textAt(found[i]!));
    }
    return { answer, prefix, max };
  }

  private async fieldSuggestions(indexId: string, fields: string[], prefix: string, filter: AttributeFilter | undefined, principals: string[], additional: string[] | undefined, max: number): Promise<Suggestion[]> {
    if (!fields.length) return [];
    const candidates = await this.store.querySuggestions.fieldValues(indexId, fields, prefix, MAX_FIELD_CANDIDATES);
    if (!candidates.length) return [];
    const docKeys = [...new Set(candidates.map((c) => c.docKey))];
    const visible = await this.engine.rankDocuments({ indexId, language: queryLanguage(filter), filter, access: { principals }, docKeys }, [], 0, docKeys.length);
    const seen = new Set(visible.items.map((r) => r.docKey));
    const blocked = blockedBy(await this.store.querySuggestions.activeItems(indexId));
    // One suggestion per distinct value (as compared), shown as the first document wrote it.
    const byValue = new Map<string, { text: string; docs: Map<number, Set<string>> }>();
    for (const c of candidates) {
      if (!seen.has(c.docKey)) continue;
      const key = normalizeQueryText(c.value);
      if (!key.startsWith(prefix) || blocked(key)) continue;
      const entry = byValue.get(key) ?? { text: c.value, docs: new Map() };
      byValue.set(key, entry);
      entry.docs.set(c.docKey, (entry.docs.get(c.docKey) ?? new Set()).add(c.field));
    }
    const ranked = [...byValue.values()].sort((a, b) => b.docs.size - a.docs.size || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)).slice(0, max);
    const stored = new Map((await this.engine.documents([...new Set(ranked.flatMap((r) => [...r.docs.keys()]))], 0)).map((d) => [d.docKey, d]));
    return ranked.map((r) => ({
      ...textSuggestion(r.text, prefix),
      SourceDocuments: [...r.docs.entries()].flatMap(([docKey, attrs]) => {
        const d = stored.get(docKey);
        if (!d) return [];
        const wanted = new Set(additional ?? []);
        return [{ DocumentId: d.documentId, SuggestionAttributes: [...attrs].sort(), AdditionalAttributes: parseStoredAttributes(d.attributes, d).filter((a) => wanted.has(a.Key)) }];
      }),
    }));
  }

  /**
   * The index's prefix structure when built at `version` and younger than refreshMs: served as it is,
   * so no log flush is awaited first (nothing is read from the store), and the request takes no turn
   * of the event loop for it.
   */
  private fresh(indexId: string, version: number): Built | undefined {
    const b = this.built.get(indexId);
    return b && b.version === version && this.clock() - b.checkedAt < this.refreshMs ? b : undefined;
  }

  /**
   * The index's prefix structure, (re)built when missing, when built at another suggestions_version
   * than `version` (the index row's), or when the log grew and it is older than refreshMs.
   */
  private async current(indexId: string, version: number): Promise<Built> {
    await this.log.flush();
    const held = this.built.get(indexId);
    const b = held?.version === version ? held : undefined;
    const now = this.clock();
    if (b && now - b.checkedAt < this.refreshMs) return b;
    if (b && !b.grown && (await this.store.queryLog.lastSeq(indexId)) === b.seq) {
      b.checkedAt = now;
      return b;
    }
    let pending = this.building.get(indexId);
    if (!pending || pending.version !== version) {
      const build = Object.assign(
        this.build(indexId, version).finally(() => {
          if (this.building.get(indexId) === build) this.building.delete(indexId);
        }),
        { version },
      );
      this.building.set(indexId, (pending = build));
    }
    return pending;
  }

  private async build(indexId: string, version: number): Promise<Built> {
    const now = this.clock();
    const seq = await this.store.queryLog.lastSeq(indexId);
    const { settings, lastClear } = await this.settings(indexId);
    const since = Math.max(now - settings.QueryLogLookBackWindowInDays * DAY_MS, lastClear === null ? 0 : lastClear + 1);
    const stats = await this.store.queryLog.textStats(indexId, since);
    const blocked = blockedBy(await this.store.querySuggestions.activeItems(indexId));
    const built: Built = { index: new SuggestionIndex(suggestionEntries(stats, settings, blocked)), settings, version, builtAt: now, checkedAt: now, seq, grown: false };
    this.built.set(indexId, built);
    return built;
  }

  private async settings(indexId: string): Promise<{ settings: SuggestionSettings; lastClear: number | null }> {
    const row = await this.store.querySuggestions.settings(indexId);
    if (!row) return { settings: DEFAULT_SETTINGS, lastClear: null };
    return { settings: JSON.parse(row.settings) as SuggestionSettings, lastClear: row.last_clear_time === null ? null : Number(row.last_clear_time) };
  }
}

/** The texts of the log that may be suggested, each scored by how often it was searched (the rules above). */
export function suggestionEntries(stats: QueryTextStats[], settings: SuggestionSettings, blocked: (text: string) => boolean): SuggestionEntry[] {
  const entries: SuggestionEntry[] = [];
  for (const s of stats) {
    const count = settings.IncludeQueriesWithoutUserInformation ? s.count : s.userCount;
    if (count < settings.MinimumQueryCount) continue;
    if (!settings.IncludeQueriesWithoutUserInformation && s.users < settings.MinimumNumberOfQueryingUsers) continue;
    if (s.bestResultCount < 1 || !hasLongWord(s.text) || blocked(s.text)) continue;
    entries.push({ text: s.text, score: count });
  }
  return entries;
}

function mergeSuggestable(current: SuggestableConfig[], changes: SuggestableConfig[]): SuggestableConfig[] {
  const out = new Map(current.map((c) => [c.AttributeName!, c]));
  for (const c of changes) out.set(c.AttributeName!, { AttributeName: c.AttributeName!, Suggestable: c.Suggestable ?? false });
  return [...out.values()];
}

/** MaxSuggestionsCount, checked. */
function maxSuggestions(input: GetSuggestionsInput): number {
  const max = input.MaxSuggestionsCount ?? DEFAULT_MAX_SUGGESTIONS;
  if (!Number.isInteger(max) || max < 1 || max > MAX_SUGGESTIONS) throw invalid(`MaxSuggestionsCount must be 1-${MAX_SUGGESTIONS}; got ${max}.`);
  return max;
}

/** The characters of `text` (code points: a surrogate pair is one), without making an array of them. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Kendra suggests only a query with a word of more than four characters. */
function hasLongWord(text: string): boolean {
  return text.split(' ').some((w) => codePoints(w) > 4);
}

/** The suggestion's text with the part the user typed highlighted (offsets in UTF-16 units, as Kendra's highlights). */
function textSuggestion(text: string, prefix: string): Suggestion {
  return { Id: randomUUID(), Value: { Text: { Text: text, Highlights: [{ BeginOffset: 0, EndOffset: prefix.length }] } } };
}

function checkFilter(indexId: string, filter: AttributeFilter): void {
  try {
    compileFilter(indexId, filter);
  } catch (e) {
    if (e instanceof SearchInputError) throw invalid(e.message);
    throw e;
  }
}
