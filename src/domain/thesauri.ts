/**
 * Thesauri: synonym files in S3 (Solr format, search/thesaurus.ts) that expand an index's queries.
 * CreateThesaurus reads the file in the background (CREATING → ACTIVE, or FAILED with the reason and
 * line); UpdateThesaurus with a new SourceS3Path reads it again (UPDATING → ACTIVE, or
 * ACTIVE_BUT_UPDATE_FAILED, the previous rules still in use). One thesaurus per index, Kendra's quota.
 *
 * Queries read the thesaurus's id and version (one indexed row) and use rules parsed once per version
 * and kept in memory: a 10,000-rule thesaurus costs a query a few map lookups, not a parse.
 */
import type { Log } from '../observe/log.js';
import type { ThesaurusRow } from '../store/thesauri.js';
import type { Store } from '../store/store.js';
import { parseThesaurus, Thesaurus, ThesaurusFileError, type SynonymRules } from '../search/thesaurus.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { conflict, DomainError, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';
import { later, readS3File, type FetchS3 } from './s3File.js';

export const MAX_THESAURI_PER_INDEX = 1;

export interface ThesaurusInput {
  IndexId: string;
  Name: string;
  Description?: string;
  RoleArn: string;
  SourceS3Path: { Bucket: string; Key: string };
  ClientToken?: string;
}

export class Thesauri {
  /** Parsed rules by thesaurus id, with the version they were parsed from. */
  private readonly cache = new Map<string, { version: number; thesaurus: Thesaurus }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly tokens: PageTokens,
    private readonly fetchS3: FetchS3,
    private readonly delayMs: number,
    private readonly log?: Log,
  ) {}

  async create(scope: Scope, input: ThesaurusInput): Promise<string> {
    await this.indices.getActive(scope, input.IndexId);
    if ((await this.store.thesauri.count(input.IndexId)) >= MAX_THESAURI_PER_INDEX)
      throw new DomainError('QuotaExceeded', `Index ${input.IndexId} already has a thesaurus (the limit is ${MAX_THESAURI_PER_INDEX}); update or delete it.`);
    const now = this.clock();
    const { id, created } = await idempotent(this.store.clientTokens, scope, 'CreateThesaurus', input, now, (id) =>
      this.store.thesauri.insert({
        id, index_id: input.IndexId, name: input.Name, description: input.Description ?? null, role_arn: input.RoleArn,
        s3_bucket: input.SourceS3Path.Bucket, s3_key: input.SourceS3Path.Key, status: 'CREATING', error_message: null,
        file_size_bytes: 0, term_count: 0, synonym_rule_count: 0, rules: '[]', created_at: now, updated_at: now,
      }),
    );
    if (created) this.loadLater(id, input.IndexId);
    return id;
  }

  async update(scope: Scope, input: Partial<ThesaurusInput> & { IndexId: string; Id: string }): Promise<void> {
    const row = await this.get(scope, input.IndexId, input.Id);
    if (['CREATING', 'UPDATING', 'DELETING'].includes(row.status)) throw conflict(`Thesaurus ${input.Id} is ${row.status}; update it once that is done.`);
    const patch: Partial<ThesaurusRow> = {
      ...(input.Name !== undefined ? { name: input.Name } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.RoleArn !== undefined ? { role_arn: input.RoleArn } : {}),
    };
    if (input.SourceS3Path) {
      // A FAILED thesaurus has no rules to keep: reading it again is creating it again.
      Object.assign(patch, { s3_bucket: input.SourceS3Path.Bucket, s3_key: input.SourceS3Path.Key, status: row.status === 'FAILED' ? 'CREATING' : 'UPDATING', error_message: null });
    }
    await this.store.thesauri.update(row.id, { ...patch, updated_at: Math.max(this.clock(), Number(row.updated_at) + 1) });
    if (input.SourceS3Path) this.loadLater(row.id, row.index_id);
  }

  async describe(scope: Scope, indexId: string, id: string) {
    const r = await this.get(scope, indexId, id);
    return {
      Id: r.id, IndexId: r.index_id, Name: r.name, ...(r.description !== null ? { Description: r.description } : {}), Status: r.status,
      ...(r.error_message !== null ? { ErrorMessage: r.error_message } : {}),
      CreatedAt: new Date(Number(r.created_at)), UpdatedAt: new Date(Number(r.updated_at)), RoleArn: r.role_arn,
      SourceS3Path: { Bucket: r.s3_bucket, Key: r.s3_key },
      FileSizeBytes: Number(r.file_size_bytes), TermCount: Number(r.term_count), SynonymRuleCount: Number(r.synonym_rule_count),
    };
  }

  async list(scope: Scope, indexId: string, maxResults: number, nextToken?: string): Promise<{ items: ThesaurusRow[]; nextToken?: string }> {
    await this.indices.get(scope, indexId);
    const binding = `ListThesauri\n${indexId}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.thesauri.list(indexId, after, maxResults + 1);
    const items = rows.slice(0, maxResults);
    const last = items[items.length - 1];
    return { items, nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [Number(last.created_at), last.id]) : undefined };
  }

  async delete(scope: Scope, indexId: string, id: string): Promise<void> {
    const row = await this.get(scope, indexId, id);
    await this.store.thesauri.delete(row.id);
    this.cache.delete(row.id);
  }

  /** The thesaurus an index's queries are expanded with, if it has one in use. */
  async forIndex(indexId: string): Promise<Thesaurus | undefined> {
    const use = await this.store.thesauri.inUse(indexId);
    if (!use) return undefined;
    const version = Number(use.updated_at);
    const held = this.cache.get(use.id);
    if (held && held.version === version) return held.thesaurus;
    const rules = await this.store.thesauri.rules(use.id);
    if (rules === undefined) return undefined;
    const thesaurus = new Thesaurus(JSON.parse(rules) as SynonymRules);
    this.cache.set(use.id, { version, thesaurus });
    return thesaurus;
  }

  private loadLater(id: string, indexId: string): void {
    later(this.delayMs, () => this.load(id, indexId), (e) => this.log?.error({ thesaurusId: id, error: String(e) }, 'thesaurus could not be loaded'));
  }

  private async load(id: string, indexId: string): Promise<void> {
    const row = await this.store.thesauri.get(indexId, id);
    if (!row || (row.status !== 'CREATING' && row.status !== 'UPDATING')) return;
    const failed = row.status === 'CREATING' ? 'FAILED' : 'ACTIVE_BUT_UPDATE_FAILED';
    const fail = (message: string) => this.store.thesauri.update(id, { status: failed, error_message: message }, [row.status]);
    const read = await readS3File(this.fetchS3, row.s3_bucket, row.s3_key);
    if ('error' in read) return fail(read.error);
    try {
      const parsed = parseThesaurus(read.bytes);
      await this.store.thesauri.update(id, {
        status: 'ACTIVE', error_message: null, rules: JSON.stringify(parsed.rules), file_size_bytes: read.bytes.length,
        term_count: parsed.termCount, synonym_rule_count: parsed.ruleCount, updated_at: Math.max(this.clock(), Number(row.updated_at) + 1),
      }, [row.status]);
    } catch (e) {
      if (!(e instanceof ThesaurusFileError)) throw e;
      return fail(`The thesaurus file s3://${row.s3_bucket}/${row.s3_key} cannot be used: ${e.message}.`);
    }
  }

  private async get(scope: Scope, indexId: string, id: string): Promise<ThesaurusRow> {
    await this.indices.get(scope, indexId);
    const row = await this.store.thesauri.get(indexId, id);
    if (!row) throw notFound(`Thesaurus ${id} does not exist in index ${indexId}.`);
    return row;
  }
}
