import { BatchGetDocumentStatusCommand, BatchPutDocumentCommand, QueryCommand, type Document, type KendraClient, type UserContext } from '@aws-sdk/client-kendra';
import { waitFor } from './server.js';

/** Puts documents (10 per batch) and waits until every one is INDEXED. */
export async function putIndexed(k: KendraClient, indexId: string, docs: Document[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 10) {
    const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: docs.slice(i, i + 10) }));
    if (r.FailedDocuments?.length) throw new Error(`rejected: ${JSON.stringify(r.FailedDocuments)}`);
  }
  for (let i = 0; i < docs.length; i += 10) {
    const ids = docs.slice(i, i + 10).map((d) => d.Id!);
    await waitFor(`documents ${ids.join(', ')} indexed`, async () => {
      const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: ids.map((DocumentId) => ({ DocumentId })) }));
      return r.DocumentStatusList!.every((s) => s.DocumentStatus === 'INDEXED' || s.DocumentStatus === 'UPDATED') ? true : undefined;
    });
  }
}

/** Every document id a caller can browse (no query text), page by page, with the total the first page reports. */
export async function visibleIds(k: KendraClient, indexId: string, userContext?: UserContext, queryText?: string): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let total = -1;
  for (let page = 1; ; page++) {
    const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: queryText, UserContext: userContext, PageNumber: page, PageSize: 100 }));
    if (total < 0) total = r.TotalNumberOfResults!;
    ids.push(...r.ResultItems!.map((i) => i.DocumentId!));
    if (r.ResultItems!.length < 100 || ids.length >= 100) break;
  }
  return { ids: ids.sort(), total };
}
