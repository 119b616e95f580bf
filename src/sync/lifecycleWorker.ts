import { parseSchedule } from '../domain/cron.js';
import { dataSourceArn, indexArn } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';
import { abortActiveJobs } from './jobEnd.js';

/**
 * Completes status changes that requests started: CREATING/UPDATING → ACTIVE, and DELETING → gone,
 * after stopping syncs and removing documents, history and tags (X-1, X-2, D-1, D-4, D-5).
 */
export class LifecycleWorker {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async sweep(): Promise<void> {
    const now = this.clock();
    for (const ix of await this.store.indices.dueTransitions(now)) {
      if (ix.status === 'DELETING') await this.purgeIndex(ix.id);
      else await this.store.indices.update(ix.id, { status: 'ACTIVE', transition_at: null, updated_at: now }, [ix.status], { dueBy: now });
    }
    for (const ds of await this.store.dataSources.dueTransitions(now)) {
      if (ds.status === 'DELETING') await this.purgeDataSource(ds.id);
      else await this.activateDataSource(ds.id, ds.status, now);
    }
  }

  private async activateDataSource(id: string, from: string, now: number): Promise<void> {
    const ds = await this.store.dataSources.getById(id);
    if (!ds) return;
    const next = ds.schedule ? parseSchedule(ds.schedule).next(new Date(now)) : null;
    await this.store.dataSources.update(
      id,
      { status: 'ACTIVE', error_message: null, transition_at: null, updated_at: now, next_run_at: next ? next.getTime() : null },
      [from],
      now,
    );
  }

  async purgeDataSource(id: string): Promise<void> {
    const ds = await this.store.dataSources.getById(id);
    if (!ds) return;
    await abortActiveJobs(this.store, id, this.clock(), 'The data source was deleted.');
    await this.store.documents.purge({ indexId: ds.index_id, dataSourceId: id });
    await this.store.syncJobs.deleteOfDataSource(id);
    await this.store.tags.removeAll(dataSourceArn({ accountId: ds.account_id, region: ds.region }, ds.index_id, id));
    await this.store.dataSources.delete(id);
  }

  async purgeIndex(id: string): Promise<void> {
    const ix = await this.store.indices.getById(id);
    if (!ix) return;
    for (const ds of await this.store.dataSources.listOfIndex(id)) await this.purgeDataSource(ds.id);
    await this.store.documents.purge({ indexId: id });
    await this.store.principalMappings.purgeIndex(id);
    await this.store.accessConfigurations.purgeIndex(id);
    await this.store.experiences.purgeIndex(id);
    await this.store.faqs.purgeIndex(id);
    await this.store.featuredResults.purgeIndex(id);
    await this.store.thesauri.purgeIndex(id);
    await this.store.queryLog.purgeIndex(id);
    await this.store.querySuggestions.purgeIndex(id);
    await this.store.tags.removeAll(indexArn({ accountId: ix.account_id, region: ix.region }, id));
    await this.store.indices.delete(id);
  }
}
