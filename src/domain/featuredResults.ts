/**
 * Featured results sets: documents put above every other result when a query's text is exactly one
 * of the set's query texts. Kendra's rules: at most 4 featured documents per set, 49 query texts,
 * 50 sets per index; a query text belongs to at most one ACTIVE set (a second one is refused with
 * FeaturedResultsConflictException, naming each conflicting text and the set that has it). The
 * match is on the whole query, compared without case and with runs of spaces as one space.
 */
import { isStorable } from '../store/storableText.js';
import type { FeaturedResultsSetRow, QueryTextOwner } from '../store/featuredResults.js';
import { SEARCHABLE_STATUSES } from '../store/documents.js';
import type { Store } from '../store/store.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { conflict, DomainError, invalid, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';

export const MAX_FEATURED_DOCUMENTS = 4;
export const MAX_SETS_PER_INDEX = 50;

export interface FeaturedResultsSetInput {
  IndexId: string;
  FeaturedResultsSetName?: string;
  Description?: string;
  ClientToken?: string;
  Status?: 'ACTIVE' | 'INACTIVE';
  QueryTexts?: string[];
  FeaturedDocuments?: { Id?: string }[];
}

export interface FeaturedResultsSet {
  FeaturedResultsSetId: string;
  FeaturedResultsSetName: string;
  Description?: string;
  Status: string;
  QueryTexts: string[];
  FeaturedDocuments: { Id: string }[];
  LastUpdatedTimestamp: number;
  CreationTimestamp: number;
}

export interface ConflictingItem {
  QueryText: string;
  SetName: string;
  SetId: string;
}

/** A query text already featured by another ACTIVE set. */
export class FeaturedResultsConflict extends DomainError {
  constructor(readonly items: ConflictingItem[]) {
    super('Conflict', `${items.length} of the query texts ${items.length === 1 ? 'is' : 'are'} already featured by another ACTIVE set: ${items.map((i) => `'${i.QueryText}' (${i.SetName})`).join(', ')}. A query text can be in one active featured results set only.`);
  }
}

/** The form a query text is matched under: lower case, spaces collapsed, trimmed. */
export function normalizeQueryText(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The documents an ACTIVE set features for this query text, in the set's order (none: []), from activeTexts. */
export function featuredFor(activeTexts: Map<string, string[]>, queryText: string | undefined): string[] {
  if (queryText === undefined || !queryText.trim()) return [];
  return activeTexts.get(normalizeQueryText(queryText)) ?? [];
}

export class FeaturedResults {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly tokens: PageTokens,
  ) {}

  async create(scope: Scope, input: FeaturedResultsSetInput & { FeaturedResultsSetName: string }): Promise<FeaturedResultsSet> {
    await this.indices.getActive(scope, input.IndexId);
    const texts = checked(input);
    if (await this.store.featuredResults.byName(input.IndexId, input.FeaturedResultsSetName))
      throw conflict(`A featured results set named ${input.FeaturedResultsSetName} already exists in index ${input.IndexId}.`);
    if ((await this.store.featuredResults.count(input.IndexId)) >= MAX_SETS_PER_INDEX)
      throw new DomainError('QuotaExceeded', `Index ${input.IndexId} has ${MAX_SETS_PER_INDEX} featured results sets, the limit; delete one first.`);
    const status = input.Status ?? 'ACTIVE';
    if (status === 'ACTIVE') await this.refuseConflicts(input.IndexId, input.QueryTexts ?? [], undefined);
    const now = this.clock();
    const { id } = await idempotent(this.store.clientTokens, scope, 'CreateFeaturedResultsSet', input, now, (id) =>
      this.store.featuredResults.save(
        {
          id, index_id: input.IndexId, name: input.FeaturedResultsSetName, description: input.Description ?? null, status,
          query_texts: JSON.stringify(input.QueryTexts ?? []), documents: JSON.stringify(documentsOf(input)), created_at: now, updated_at: now,
        },
        texts,
        true,
      ),
    );
    return toSet((await this.store.featuredResults.get(input.IndexId, id))!);
  }

  async update(scope: Scope, input: FeaturedResultsSetInput & { FeaturedResultsSetId: string }): Promise<FeaturedResultsSet> {
    const row = await this.get(scope, input.IndexId, input.FeaturedResultsSetId);
    checked(input);
    if (input.FeaturedResultsSetName !== undefined && input.FeaturedResultsSetName !== row.name) {
      const other = await this.store.featuredResults.byName(input.IndexId, input.FeaturedResultsSetName);
      if (other) throw invalid(`A featured results set named ${input.FeaturedResultsSetName} already exists in index ${input.IndexId}.`);
    }
    const queryTexts = input.QueryTexts ?? (JSON.parse(row.query_texts) as string[]);
    const status = input.Status ?? (row.status as 'ACTIVE' | 'INACTIVE');
    if (status === 'ACTIVE') await this.refuseConflicts(input.IndexId, queryTexts, row.id);
    const next: FeaturedResultsSetRow = {
      ...row,
      name: input.FeaturedResultsSetName ?? row.name,
      description: input.Description ?? row.description,
      status,
      query_texts: JSON.stringify(queryTexts),
      documents: input.FeaturedDocuments ? JSON.stringify(documentsOf(input)) : row.documents,
      updated_at: this.clock(),
    };
    await this.store.featuredResults.save(next, distinctNormalized(queryTexts), false);
    return toSet(next);
  }

  /** The set, its featured documents split into those the index holds (with title and URI) and those it does not. */
  async describe(scope: Scope, indexId: string, id: string) {
    const { FeaturedDocuments, ...set } = toSet(await this.get(scope, indexId, id));
    const found = new Map((await this.store.documents.getMany(indexId, FeaturedDocuments.map((d) => d.Id)))
      .filter((d) => (SEARCHABLE_STATUSES as readonly string[]).includes(d.status)).map((d) => [d.document_id, d]));
    return {
      ...set,
      FeaturedDocumentsWithMetadata: FeaturedDocuments.filter((d) => found.has(d.Id)).map((d) => {
        const doc = found.get(d.Id)!;
        return { Id: d.Id, Title: doc.title, ...(doc.source_uri ? { URI: doc.source_uri } : {}) };
      }),
      FeaturedDocumentsMissing: FeaturedDocuments.filter((d) => !found.has(d.Id)),
    };
  }

  async list(scope: Scope, indexId: string, maxResults: number, nextToken?: string): Promise<{ items: FeaturedResultsSet[]; nextToken?: string }> {
    await this.indices.get(scope, indexId);
    const binding = `ListFeaturedResultsSets\n${indexId}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.featuredResults.list(indexId, after, maxResults + 1);
    const page = rows.slice(0, maxResults);
    const last = page[page.length - 1];
    return { items: page.map(toSet), nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [Number(last.created_at), last.id]) : undefined };
  }

  /** Each id deleted, or reported (not found) in Errors; the others still go. */
  async batchDelete(scope: Scope, indexId: string, ids: string[]): Promise<{ Id: string; ErrorCode: 'InvalidRequest'; ErrorMessage: string }[]> {
    await this.indices.get(scope, indexId);
    const errors = [];
    for (const id of ids) {
      const row = await this.store.featuredResults.get(indexId, id);
      if (!row) errors.push({ Id: id, ErrorCode: 'InvalidRequest' as const, ErrorMessage: `Featured results set ${id} does not exist in index ${indexId}.` });
      else await this.store.featuredResults.delete(id);
    }
    return errors;
  }

  /** The documents of the index's ACTIVE sets by normalized query text, each in its set's order (see featuredFor). */
  async activeTexts(indexId: string): Promise<Map<string, string[]>> {
    const byText = new Map<string, string[]>();
    // At most one ACTIVE set holds a text (refuseConflicts); were there two, the oldest would win.
    for (const r of await this.store.featuredResults.activeTexts(indexId))
      if (!byText.has(r.query_text)) byText.set(r.query_text, (JSON.parse(r.documents) as { Id: string }[]).map((d) => d.Id));
    return byText;
  }

  private async refuseConflicts(indexId: string, texts: string[], self: string | undefined): Promise<void> {
    const owners: QueryTextOwner[] = await this.store.featuredResults.activeOwners(indexId, distinctNormalized(texts), self);
    if (!owners.length) return;
    const given = new Map(texts.map((t) => [normalizeQueryText(t), t]));
    throw new FeaturedResultsConflict(owners.map((o) => ({ QueryText: given.get(o.query_text) ?? o.query_text, SetName: o.name, SetId: o.set_id })));
  }

  private async get(scope: Scope, indexId: string, id: string): Promise<FeaturedResultsSetRow> {
    await this.indices.get(scope, indexId);
    const row = await this.store.featuredResults.get(indexId, id);
    if (!row) throw notFound(`Featured results set ${id} does not exist in index ${indexId}.`);
    return row;
  }
}

function distinctNormalized(texts: string[]): string[] {
  return [...new Set(texts.map(normalizeQueryText))];
}

function documentsOf(input: FeaturedResultsSetInput): { Id: string }[] {
  return (input.FeaturedDocuments ?? []).map((d) => ({ Id: d.Id! }));
}

/** Kendra's limits on a set's content; the normalized query texts. */
function checked(input: FeaturedResultsSetInput): string[] {
  const docs = input.FeaturedDocuments ?? [];
  if (docs.length > MAX_FEATURED_DOCUMENTS) throw invalid(`FeaturedDocuments has ${docs.length} documents; a set features at most ${MAX_FEATURED_DOCUMENTS}.`);
  const ids = docs.map((d, i) => {
    if (!d.Id) throw invalid(`FeaturedDocuments[${i}].Id is required.`);
    return d.Id;
  });
  if (new Set(ids).size !== ids.length) throw invalid('FeaturedDocuments names a document more than once.');
  const texts = input.QueryTexts ?? [];
  texts.forEach((t, i) => {
    if (!t.trim()) throw invalid(`QueryTexts[${i}] is empty.`);
    if (!isStorable(t)) throw invalid(`QueryTexts[${i}] holds U+0000 or an unpaired surrogate, which a query text cannot hold.`);
    if (t.length > 1000) throw invalid(`QueryTexts[${i}] is ${t.length} characters long; the limit is 1000.`);
  });
  const normalized = distinctNormalized(texts);
  if (normalized.length !== texts.length) throw invalid('QueryTexts holds the same query text more than once.');
  return normalized;
}

function toSet(row: FeaturedResultsSetRow): FeaturedResultsSet {
  return {
    FeaturedResultsSetId: row.id,
    FeaturedResultsSetName: row.name,
    ...(row.description !== null ? { Description: row.description } : {}),
    Status: row.status,
    QueryTexts: JSON.parse(row.query_texts) as string[],
    FeaturedDocuments: JSON.parse(row.documents) as { Id: string }[],
    LastUpdatedTimestamp: Number(row.updated_at),
    CreationTimestamp: Number(row.created_at),
  };
}
