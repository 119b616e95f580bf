import type { Store } from '../store/store.js';
import type { IndexRow } from '../store/indices.js';
import { indexArn, type Scope } from './arn.js';
import type { Clock } from './clock.js';
import { conflict, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import type { PageTokens } from './pageToken.js';
import type { Lifecycle } from './lifecycle.js';
import { distinctTags } from './tags.js';

export type IndexStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'FAILED' | 'UPDATING' | 'SYSTEM_UPDATING';

export interface NewIndex {
  Name: string;
  RoleArn: string;
  Edition?: string;
  Description?: string;
  ClientToken?: string;
  Tags?: { Key: string; Value: string }[];
  /** Members stored and returned as given. */
  settings: Record<string, unknown>;
}

export interface IndexChanges {
  Name?: string;
  RoleArn?: string;
  Description?: string;
  settings: Record<string, unknown>;
}

/** Index life cycle (X-1..X-4). */
export class Indices {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly lifecycle: Lifecycle,
    private readonly tokens: PageTokens,
  ) {}

  async create(scope: Scope, input: NewIndex): Promise<string> {
    distinctTags(input.Tags ?? []);
    const now = this.clock();
    const { id } = await idempotent(this.store.clientTokens, scope, 'CreateIndex', input, now, async (id) => {
      await this.store.indices.insert({
        id, account_id: scope.accountId, region: scope.region, name: input.Name,
        edition: input.Edition ?? 'ENTERPRISE_EDITION', role_arn: input.RoleArn, description: input.Description ?? null,
        status: 'CREATING', error_message: null, settings: JSON.stringify(input.settings),
        created_at: now, updated_at: now, transition_at: now + this.lifecycle.delayMs,
      });
      await this.store.tags.put(indexArn(scope, id), input.Tags ?? []);
      this.lifecycle.wake();
    });
    return id;
  }

  /** The index in this scope, or ResourceNotFoundException. */
  async get(scope: Scope, id: string): Promise<IndexRow> {
    const row = await this.store.indices.get(scope, id);
    if (!row) throw notFound(`Index ${id} does not exist.`);
    return row;
  }

  /** The index, which must be ACTIVE for writes into it. */
  async getActive(scope: Scope, id: string): Promise<IndexRow> {
    const row = await this.get(scope, id);
    if (row.status !== 'ACTIVE') throw conflict(`Index ${id} is ${row.status}; it must be ACTIVE.`);
    return row;
  }

  async statistics(id: string) {
    return this.store.documents.statistics(id);
  }

  async list(scope: Scope, maxResults: number, nextToken?: string): Promise<{ items: IndexRow[]; nextToken?: string }> {
    const binding = `ListIndices\n${scope.accountId}\n${scope.region}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.indices.list(scope, after, maxResults + 1);
    const items = rows.slice(0, maxResults);
    const last = items[items.length - 1];
    return { items, nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [last.created_at, last.id]) : undefined };
  }

  async update(scope: Scope, id: string, changes: IndexChanges): Promise<void> {
    const row = await this.get(scope, id);
    if (row.status !== 'ACTIVE') throw conflict(`Index ${id} is ${row.status}; only an ACTIVE index can be updated.`);
    const now = this.clock();
    const settings = { ...(JSON.parse(row.settings) as Record<string, unknown>), ...changes.settings };
    const updated = await this.store.indices.update(
      id,
      {
        name: changes.Name ?? row.name,
        role_arn: changes.RoleArn ?? row.role_arn,
        description: changes.Description ?? row.description,
        settings: JSON.stringify(settings),
        status: 'UPDATING',
        updated_at: now,
        transition_at: now + this.lifecycle.delayMs,
      },
      ['ACTIVE'],
    );
    if (!updated) throw conflict(`Index ${id} changed status during the update; try again.`);
    this.lifecycle.wake();
  }

  /** DELETING now; the life cycle worker stops its syncs and removes everything, then the row. */
  async delete(scope: Scope, id: string): Promise<void> {
    const row = await this.get(scope, id);
    if (row.status === 'DELETING') return;
    // The purge waits the same delay as other transitions, so that clients see DELETING as in Kendra.
    const now = this.clock();
    await this.store.indices.update(id, { status: 'DELETING', updated_at: now, transition_at: now + this.lifecycle.delayMs });
    this.lifecycle.wake();
  }
}
