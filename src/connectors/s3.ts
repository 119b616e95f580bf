// The S3 connector (Type S3 with S3Configuration, or TEMPLATE with Kendra's S3 template): lists the
// bucket lazily with ListObjectsV2, page by page, and pairs each object with its `<key>.metadata.json`
// file while both listings advance, so neither the keys nor the metadata are ever held whole.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Connector, Found, RawDocument, SyncContext } from './contract.js';
import { SourceError } from './contract.js';
import { MAX_METADATA_BYTES, METADATA_SUFFIX, MetadataError, parseMetadata, type DocumentMetadata } from './metadata.js';
import { compareKeys, KeyFilter, listingPrefixes, type FilterRules } from './patterns.js';

export interface S3Source extends FilterRules {
  bucket: string;
  exclusionPrefixes?: string[];
  /** DocumentsMetadataConfiguration.S3Prefix: metadata files live under it, in a tree parallel to the documents. */
  metadataPrefix?: string;
}

interface Listed {
  key: string;
  etag: string;
  size: number;
}

/** Metadata files are read while listing, a few at a time, keeping the listing order. */
const METADATA_READS = 8;

export class S3Connector implements Connector {
  private readonly filter: KeyFilter;

  constructor(
    private readonly client: S3Client,
    private readonly source: S3Source,
  ) {
    this.filter = new KeyFilter(source);
  }

  async *enumerate(ctx: SyncContext): AsyncIterable<Found> {
    const prefixes = listingPrefixes(this.source.inclusionPrefixes);
    const metaPrefix = this.source.metadataPrefix ?? '';
    const documents = filterAsync(this.list(prefixes, ctx.signal), (o) => this.isDocument(o.key));
    const metadata = mapAsync(
      filterAsync(this.list(prefixes.map((p) => metaPrefix + p), ctx.signal), (o) => o.key.endsWith(METADATA_SUFFIX)),
      (o) => ({ ...o, documentKey: o.key.slice(metaPrefix.length, -METADATA_SUFFIX.length) }),
    );
    yield* mapOrdered(withMetadata(documents, metadata), METADATA_READS, (pair) => this.found(pair.object, pair.metadata, ctx));
  }

  /** The documents of the bucket's listing (ListObjectsV2 alone, 1,000 keys a request): far ahead of their fetches. */
  async count(ctx: SyncContext): Promise<number> {
    let n = 0;
    for await (const o of this.list(listingPrefixes(this.source.inclusionPrefixes), ctx.signal)) if (this.isDocument(o.key)) n++;
    return n;
  }

  private isDocument(key: string): boolean {
    if (key.endsWith('/') || key.endsWith(METADATA_SUFFIX)) return false; // folder placeholders and metadata files
    if (this.source.metadataPrefix && key.startsWith(this.source.metadataPrefix)) return false;
    if (this.source.exclusionPrefixes?.some((p) => p && key.startsWith(p))) return false;
    return this.filter.includes(key);
  }

  private async found(object: Listed, metaObject: Listed | undefined, ctx: SyncContext): Promise<Found> {
    const bucket = this.source.bucket;
    const defaultId = `s3://${bucket}/${object.key}`;
    let meta: DocumentMetadata = { attributes: [] };
    if (metaObject) {
      try {
        if (metaObject.size > MAX_METADATA_BYTES) throw new MetadataError(`metadata file s3://${bucket}/${metaObject.key} is ${metaObject.size} bytes; the limit is ${MAX_METADATA_BYTES}`);
        meta = parseMetadata(await this.read(metaObject.key, MAX_METADATA_BYTES, ctx.signal), `s3://${bucket}/${metaObject.key}`);
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        return { kind: 'failure', id: defaultId, reason: e instanceof MetadataError ? e.message : `cannot read metadata file s3://${bucket}/${metaObject.key}: ${describe(e)}`, sourceCode: codeOf(e) };
      }
    }
    const id = meta.documentId ?? defaultId;
    if (object.size > ctx.maxDocumentBytes)
      return { kind: 'failure', id, reason: `s3://${bucket}/${object.key} is ${object.size} bytes, over the limit of ${ctx.maxDocumentBytes} bytes` };
    const attributes = meta.attributes.some((a) => a.Key === '_source_uri') ? meta.attributes : [...meta.attributes, { Key: '_source_uri', Value: { StringValue: defaultId } }];
    return {
      kind: 'document',
      id,
      version: metaObject ? `${object.etag}+${metaObject.etag}` : object.etag,
      fetch: async (signal): Promise<RawDocument> => {
        const r = await this.get(object.key, signal);
        const content = await readCapped(r.Body as AsyncIterable<Uint8Array>, ctx.maxDocumentBytes, `s3://${bucket}/${object.key}`);
        return { content, title: meta.title, defaultTitle: baseName(object.key), contentType: meta.contentType ?? r.ContentType, fileName: object.key, attributes, access: meta.access, accessConfigurationId: meta.accessConfigurationId };
      },
    };
  }

  private async read(key: string, max: number, signal: AbortSignal): Promise<Uint8Array> {
    const r = await this.get(key, signal);
    return readCapped(r.Body as AsyncIterable<Uint8Array>, max, `s3://${this.source.bucket}/${key}`);
  }

  private get(key: string, signal: AbortSignal) {
    return this.client.send(new GetObjectCommand({ Bucket: this.source.bucket, Key: key }), { abortSignal: signal });
  }

  /** Every object under the prefixes, in key order, one page of ListObjectsV2 at a time. */
  private async *list(prefixes: string[], signal: AbortSignal): AsyncGenerator<Listed> {
    const bucket = this.source.bucket;
    for (const prefix of prefixes) {
      let token: string | undefined;
      do {
        let page;
        try {
          page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }), { abortSignal: signal });
        } catch (e) {
          if (signal.aborted) throw e;
          throw listingError(e, bucket);
        }
        for (const o of page.Contents ?? []) if (o.Key !== undefined) yield { key: o.Key, etag: o.ETag ?? '', size: o.Size ?? 0 };
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  }
}

/**
 * Pairs each document with its metadata file. Documents come in key order and metadata files in the
 * order of their own keys (`<key>.metadata.json`); the two orders differ only among keys that extend
 * one another (`a` and `a-1`), so the metadata read ahead of its document is the only thing held.
 */
export async function* withMetadata<M extends { documentKey: string }>(
  documents: AsyncIterable<Listed>,
  metadata: AsyncIterable<M>,
): AsyncGenerator<{ object: Listed; metadata: M | undefined }> {
  const it = metadata[Symbol.asyncIterator]();
  let head: M | null | undefined;
  const ahead = new Map<string, M>();
  try {
    for await (const object of documents) {
      const target = object.key + METADATA_SUFFIX;
      for (;;) {
        if (head === undefined) {
          const r = await it.next();
          head = r.done ? null : r.value;
        }
        if (head === null || compareKeys(head.documentKey + METADATA_SUFFIX, target) > 0) break;
        ahead.set(head.documentKey, head);
        head = undefined;
      }
      const meta = ahead.get(object.key);
      for (const k of ahead.keys()) if (compareKeys(k, object.key) <= 0) ahead.delete(k);
      yield { object, metadata: meta };
    }
  } finally {
    await it.return?.();
  }
}

async function* filterAsync<T>(items: AsyncIterable<T>, keep: (t: T) => boolean): AsyncGenerator<T> {
  for await (const t of items) if (keep(t)) yield t;
}

async function* mapAsync<T, U>(items: AsyncIterable<T>, f: (t: T) => U): AsyncGenerator<U> {
  for await (const t of items) yield f(t);
}

/** Maps with up to `n` calls in flight, yielding results in input order. */
async function* mapOrdered<T, U>(items: AsyncIterable<T>, n: number, f: (t: T) => Promise<U>): AsyncGenerator<U> {
  const queue: Promise<U>[] = [];
  for await (const t of items) {
    const p = f(t);
    p.catch(() => undefined); // awaited below, in order; this only keeps an early rejection from being reported as unhandled
    queue.push(p);
    if (queue.length >= n) yield await queue.shift()!;
  }
  while (queue.length) yield await queue.shift()!;
}

async function readCapped(body: AsyncIterable<Uint8Array>, max: number, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`${what} is over the limit of ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function listingError(e: unknown, bucket: string): SourceError {
  const code = codeOf(e);
  if (code === 'NoSuchBucket') return new SourceError(`The S3 bucket '${bucket}' does not exist at kendrite's S3 endpoint. Check BucketName, and kendrite's s3.endpoint setting.`, code);
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch')
    return new SourceError(`kendrite may not list the S3 bucket '${bucket}' (${code}). Check the credentials in kendrite's s3 settings (or AWS_ACCESS_KEY_ID) and the bucket's policy.`, code);
  if (code === 'CredentialsProviderError')
    return new SourceError(`kendrite has no S3 credentials to list '${bucket}'. Set s3.accessKeyId and s3.secretAccessKey in kendrite's config, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`, code);
  return new SourceError(`kendrite could not list the S3 bucket '${bucket}': ${describe(e)}. Check kendrite's s3.endpoint setting and that S3 is reachable.`, code);
}

/** The source's own error code: S3's (NoSuchBucket) or the system's (ECONNREFUSED). */
function codeOf(e: unknown): string | undefined {
  const err = e as { name?: string; code?: string; Code?: string; $metadata?: unknown };
  if (err?.$metadata) return err.Code ?? err.name;
  return err?.code ?? (err?.name && err.name !== 'Error' ? err.name : undefined);
}

function describe(e: unknown): string {
  const err = e as Error & { code?: string };
  const code = codeOf(e);
  return code && !err.message?.includes(code) ? `${code}: ${err.message}` : (err?.message ?? String(e));
}

function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
