/**
 * Query suggestion block lists: a text file in S3, one word or phrase a line; a suggestion that
 * contains one of them (as whole words, compared as suggestions are: lower case, quotes ignored,
 * white space collapsed) is never shown. The file is read when the list is created and again on
 * each UpdateQuerySuggestionsBlockList (Kendra does not follow later changes to the file by itself).
 * A file that cannot be read leaves the list FAILED (on create) or ACTIVE_BUT_UPDATE_FAILED (on
 * update, the last good items still apply), with the reason in ErrorMessage.
 */
import type { Store } from '../store/store.js';
import type { BlockListRow } from '../store/querySuggestions.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { invalid, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';
import { normalizeQueryText } from './queryLog.js';

export type ReadS3 = (bucket: string, key: string) => Promise<Buffer>;

/** Kendra's quota for a block list file. */
export const MAX_BLOCK_LIST_BYTES = 300 * 1024;

export interface BlockListInput {
  IndexId: string;
  Name: string;
  Description?: string;
  SourceS3Path: { Bucket: string; Key: string };
  RoleArn: string;
  ClientToken?: string;
}

export interface BlockListUpdate {
  IndexId: string;
  Id: string;
  Name?: string;
  Description?: string;
  SourceS3Path?: { Bucket: string; Key: string };
  RoleArn?: string;
}

export class BlockLists {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly tokens: PageTokens,
    private readonly readS3: ReadS3,
    /** Told when an index's blocked items may have changed. */
    private readonly changed: (indexId: string) => void,
  ) {}

  async create(scope: Scope, input: BlockListInput): Promise<string> {
    await this.indices.getActive(scope, input.IndexId);
    const now = this.clock();
    const { id } = await idempotent(this.store.clientTokens, scope, 'CreateQuerySuggestionsBlockList', input, now, async (id) => {
      const read = await this.read(input.SourceS3Path);
      await this.store.querySuggestions.insertBlockList({
        id, index_id: input.IndexId, name: input.Name, description: input.Description ?? null,
        source_bucket: input.SourceS3Path.Bucket, source_key: input.SourceS3Path.Key, role_arn: input.RoleArn,
        status: 'error' in read ? 'FAILED' : 'ACTIVE', error_message: 'error' in read ? read.error : null,
        item_count: 'error' in read ? null : read.items.length, file_size_bytes: 'error' in read ? null : read.bytes,
        items: JSON.stringify('error' in read ? [] : read.items), created_at: now, updated_at: now,
      });
    });
    this.changed(input.IndexId);
    return id;
  }

  async describe(scope: Scope, indexId: string, id: string) {
    const r = await this.get(scope, indexId, id);
    return {
      IndexId: r.index_id, Id: r.id, Name: r.name, ...(r.description !== null ? { Description: r.description } : {}), Status: r.status,
      ...(r.error_message !== null ? { ErrorMessage: r.error_message } : {}), CreatedAt: new Date(Number(r.created_at)), UpdatedAt: new Date(Number(r.updated_at)),
      SourceS3Path: { Bucket: r.source_bucket, Key: r.source_key },
      ...(r.item_count !== null ? { ItemCount: Number(r.item_count) } : {}), ...(r.file_size_bytes !== null ? { FileSizeBytes: Number(r.file_size_bytes) } : {}),
      RoleArn: r.role_arn,
    };
  }

  async update(scope: Scope, input: BlockListUpdate): Promise<void> {
    const row = await this.get(scope, input.IndexId, input.Id);
    if (row.status === 'CREATING' || row.status === 'UPDATING' || row.status === 'DELETING') throw invalid(`Block list ${input.Id} is ${row.status}; wait until it is done.`);
    const source = input.SourceS3Path ?? { Bucket: row.source_bucket, Key: row.source_key };
    const read = await this.read(source);
    const good = row.status === 'ACTIVE' || row.status === 'ACTIVE_BUT_UPDATE_FAILED';
    await this.store.querySuggestions.updateBlockList(row.id, {
      ...(input.Name !== undefined ? { name: input.Name } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.RoleArn !== undefined ? { role_arn: input.RoleArn } : {}),
      source_bucket: source.Bucket, source_key: source.Key,
      ...('error' in read
        ? { status: good ? 'ACTIVE_BUT_UPDATE_FAILED' : 'FAILED', error_message: read.error }
        : { status: 'ACTIVE', error_message: null, items: JSON.stringify(read.items), item_count: read.items.length, file_size_bytes: read.bytes }),
      updated_at: this.clock(),
    });
    this.changed(input.IndexId);
  }

  async delete(scope: Scope, indexId: string, id: string): Promise<void> {
    const row = await this.get(scope, indexId, id);
    await this.store.querySuggestions.deleteBlockList(row.id);
    this.changed(indexId);
  }

  async list(scope: Scope, indexId: string, maxResults: number, nextToken?: string) {
    await this.indices.get(scope, indexId);
    const binding = `ListQuerySuggestionsBlockLists\n${indexId}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.querySuggestions.blockLists(indexId, after, maxResults + 1);
    const page = rows.slice(0, maxResults);
    const last = page[page.length - 1];
    return {
      BlockListSummaryItems: page.map((r) => ({
        Id: r.id, Name: r.name, Status: r.status, CreatedAt: new Date(Number(r.created_at)), UpdatedAt: new Date(Number(r.updated_at)),
        ...(r.item_count !== null ? { ItemCount: Number(r.item_count) } : {}),
      })),
      ...(rows.length > maxResults && last ? { NextToken: this.tokens.issue(binding, [Number(last.created_at), last.id]) } : {}),
    };
  }

  private async get(scope: Scope, indexId: string, id: string): Promise<BlockListRow> {
    await this.indices.get(scope, indexId);
    const row = await this.store.querySuggestions.blockList(indexId, id);
    if (!row) throw notFound(`Query suggestions block list ${id} does not exist in index ${indexId}.`);
    return row;
  }

  private async read(path: { Bucket: string; Key: string }): Promise<{ items: string[]; bytes: number } | { error: string }> {
    let bytes: Buffer;
    try {
      bytes = await this.readS3(path.Bucket, path.Key);
    } catch (e) {
      return { error: `Cannot read the block list s3://${path.Bucket}/${path.Key}: ${(e as Error).message}` };
    }
    if (bytes.byteLength > MAX_BLOCK_LIST_BYTES) return { error: `The block list s3://${path.Bucket}/${path.Key} is ${bytes.byteLength} bytes; the limit is ${MAX_BLOCK_LIST_BYTES}.` };
    return { items: blockListItems(bytes.toString('utf8')), bytes: bytes.byteLength };
  }
}

/** The distinct words and phrases of a block list file, normalized as suggestions are. */
export function blockListItems(text: string): string[] {
  return [...new Set(text.replace(/^\uFEFF/, '').split(/\r?\n/).map(normalizeQueryText).filter((l) => l.length > 0))];
}

/** Whether a normalized suggestion contains a blocked word or phrase, as whole words. */
export function blockedBy(items: readonly string[]): (text: string) => boolean {
  if (!items.length) return () => false;
  const escaped = items.map((i) => i.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${escaped.join('|')})(?=$|[^\\p{L}\\p{N}])`, 'u');
  return (text) => re.test(text);
}
