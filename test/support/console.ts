import { BatchPutDocumentCommand, StartDataSourceSyncJobCommand, type Document, type KendraClient } from '@aws-sdk/client-kendra';

export const CREDENTIALS = [
  { accessKeyId: 'AKIDCONSOLE', secretAccessKey: 'console-secret', accountId: '123456789012', permissions: 'read-write' },
  { accessKeyId: 'AKIDREADER', secretAccessKey: 'reader-secret', accountId: '123456789012', permissions: 'read' },
];

/** A document of a CUSTOM data source's sync job (the attributes BatchPutDocument reads the job from). */
export function jobDocument(id: string, text: string, ds: string, job: string, extra: Partial<Document> = {}): Document {
  return {
    Id: id, Blob: Buffer.from(text), ContentType: 'PLAIN_TEXT', Title: `Title ${id}`,
    Attributes: [{ Key: '_data_source_id', Value: { StringValue: ds } }, { Key: '_data_source_sync_job_execution_id', Value: { StringValue: job } }],
    ...extra,
  };
}

/** Starts a CUSTOM job and puts documents into it: `good` plain ones and one JSON document that fails to parse. */
export async function customJob(k: KendraClient, indexId: string, ds: string, good: number): Promise<string> {
  const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  const docs = Array.from({ length: good }, (_, i) => jobDocument(`doc-${i}`, `manual page ${i}`, ds, ExecutionId!));
  docs.push(jobDocument('broken.json', '{"a": [1, 2', ds, ExecutionId!, { ContentType: 'JSON' }));
  await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: docs }));
  return ExecutionId!;
}

/** A browser-less console client: a cookie jar over fetch, redirects not followed (so each is asserted). */
export class ConsoleClient {
  cookie = '';
  constructor(readonly base: string) {}

  async get(path: string): Promise<{ status: number; body: string; location: string | null }> {
    return this.send('GET', path);
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.send('POST', path, new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  async signIn(accessKeyId: string, secretAccessKey: string, region = 'us-east-1') {
    return this.post('/console/login', { accessKeyId, secretAccessKey, region });
  }

  /** The CSRF token of the forms on a page. */
  static csrf(body: string): string {
    const m = /name="csrf" value="([^"]+)"/.exec(body);
    if (!m) throw new Error('no CSRF token on the page');
    return m[1]!;
  }

  private async send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const r = await fetch(this.base + path, { method, body, redirect: 'manual', headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...headers } });
    const set = r.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!.endsWith('=') ? '' : set.split(';')[0]!;
    return { status: r.status, body: await r.text(), location: r.headers.get('location') };
  }
}
