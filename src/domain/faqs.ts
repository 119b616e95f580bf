/**
 * FAQs: a file of questions and answers in S3, read once at CreateFaq (CREATING → ACTIVE, or FAILED
 * with an ErrorMessage saying which line or entry is wrong). An FAQ cannot be updated, as in Kendra:
 * delete it and create it again. Its questions answer queries as QUESTION_ANSWER results
 * (domain/queryFeatures.ts).
 */
import type { Log } from '../observe/log.js';
import { analyzerFor } from '../search/analysis.js';
import { questionIndexText } from '../search/faqAnswers.js';
import type { FaqRow } from '../store/faqs.js';
import type { Store } from '../store/store.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { conflict, notFound } from './errors.js';
import { FaqFileError, parseFaqFile, type FaqFileFormat } from './faqFile.js';
import { idempotent } from './idempotency.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';
import { later, readS3File, type FetchS3 } from './s3File.js';

export interface CreateFaqInput {
  IndexId: string;
  Name: string;
  Description?: string;
  S3Path: { Bucket: string; Key: string };
  RoleArn: string;
  FileFormat?: FaqFileFormat;
  ClientToken?: string;
  LanguageCode?: string;
}

export class Faqs {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly tokens: PageTokens,
    private readonly fetchS3: FetchS3,
    private readonly delayMs: number,
    private readonly log?: Log,
  ) {}

  async create(scope: Scope, input: CreateFaqInput): Promise<string> {
    await this.indices.getActive(scope, input.IndexId);
    const now = this.clock();
    const { id, created } = await idempotent(this.store.clientTokens, scope, 'CreateFaq', input, now, (id) =>
      this.store.faqs.insert({
        id, index_id: input.IndexId, name: input.Name, description: input.Description ?? null, s3_bucket: input.S3Path.Bucket, s3_key: input.S3Path.Key,
        role_arn: input.RoleArn, file_format: input.FileFormat ?? 'CSV', language_code: input.LanguageCode ?? 'en', status: 'CREATING', error_message: null,
        created_at: now, updated_at: now,
      }),
    );
    if (created) later(this.delayMs, () => this.load(id, input.IndexId), (e) => this.log?.error({ faqId: id, error: String(e) }, 'FAQ could not be loaded'));
    return id;
  }

  async describe(scope: Scope, indexId: string, id: string) {
    const row = await this.get(scope, indexId, id);
    return {
      Id: row.id, IndexId: row.index_id, Name: row.name, ...(row.description !== null ? { Description: row.description } : {}),
      CreatedAt: new Date(Number(row.created_at)), UpdatedAt: new Date(Number(row.updated_at)), S3Path: { Bucket: row.s3_bucket, Key: row.s3_key },
      Status: row.status, RoleArn: row.role_arn, ...(row.error_message !== null ? { ErrorMessage: row.error_message } : {}),
      FileFormat: row.file_format, LanguageCode: row.language_code,
    };
  }

  async list(scope: Scope, indexId: string, maxResults: number, nextToken?: string): Promise<{ items: FaqRow[]; nextToken?: string }> {
    await this.indices.get(scope, indexId);
    const binding = `ListFaqs\n${indexId}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.faqs.list(indexId, after, maxResults + 1);
    const items = rows.slice(0, maxResults);
    const last = items[items.length - 1];
    return { items, nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [Number(last.created_at), last.id]) : undefined };
  }

  async delete(scope: Scope, indexId: string, id: string): Promise<void> {
    const row = await this.get(scope, indexId, id);
    if (row.status === 'CREATING') throw conflict(`FAQ ${id} is CREATING; delete it once it is ACTIVE or FAILED.`);
    await this.store.faqs.delete(id);
  }

  entryCount(indexId: string): Promise<number> {
    return this.store.faqs.countEntries(indexId);
  }

  /** Reads and parses the file, then the entries and ACTIVE together; or FAILED with the reason. */
  private async load(id: string, indexId: string): Promise<void> {
    const row = await this.store.faqs.get(indexId, id);
    if (!row || row.status !== 'CREATING') return;
    const read = await readS3File(this.fetchS3, row.s3_bucket, row.s3_key);
    if ('error' in read) return this.store.faqs.fail(id, read.error, this.clock());
    let entries;
    try {
      entries = parseFaqFile(read.bytes, row.file_format as FaqFileFormat);
    } catch (e) {
      if (!(e instanceof FaqFileError)) throw e;
      return this.store.faqs.fail(id, `The ${row.file_format} file s3://${row.s3_bucket}/${row.s3_key} cannot be used: ${e.message}.`, this.clock());
    }
    const analyzer = analyzerFor(row.language_code);
    await this.store.faqs.activate(id, indexId, entries.map((e) => ({
      language_code: row.language_code, question: e.question, answer: e.answer, source_uri: e.sourceUri ?? null,
      attributes: JSON.stringify(e.attributes), search_question: questionIndexText(e.question, analyzer),
    })), this.clock());
  }

  private async get(scope: Scope, indexId: string, id: string): Promise<FaqRow> {
    await this.indices.get(scope, indexId);
    const row = await this.store.faqs.get(indexId, id);
    if (!row) throw notFound(`FAQ ${id} does not exist in index ${indexId}.`);
    return row;
  }
}
