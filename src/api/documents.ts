import { scopeOf, type Handlers } from './context.js';

export const documentHandlers: Handlers = {
  async BatchPutDocument(input, ctx, s) {
    const FailedDocuments = await s.documents.put(scopeOf(ctx), input.IndexId, input.Documents as never);
    return { FailedDocuments };
  },

  async BatchDeleteDocument(input, ctx, s) {
    const FailedDocuments = await s.documents.delete(scopeOf(ctx), input.IndexId, input.DocumentIdList, input.DataSourceSyncJobMetricTarget);
    return { FailedDocuments };
  },

  async BatchGetDocumentStatus(input, ctx, s) {
    const DocumentStatusList = await s.documents.status(scopeOf(ctx), input.IndexId, input.DocumentInfoList.map((d) => d.DocumentId));
    return { Errors: [], DocumentStatusList: DocumentStatusList as never };
  },
};
