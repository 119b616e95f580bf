import type { Store } from '../store/store.js';
import { indexRowWrites } from '../store/indexRowWrites.js';
import type { IndexRow } from '../store/indices.js';
import { indexArn, type Scope } from './arn.js';
import type { Clock } from './clock.js';
import { conflict, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import { applyFieldUpdates, type IndexField } from './indexFields.js';
import { checkIndexRelevance, type FieldConfig } from './relevanceSettings.js';
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
  /** DocumentMetadataConfigurationUpdates: merged into the index's fields. */
  fieldUpdates?: IndexField[];
}

/**
 * An update sent while the previous one is still UPDATING is applied after it (indexers send them back
 * to back); the index stays UPDATING until the last one's delay has passed.
 */
const UPDATABLE = ['ACTIVE', 'UPDATING'];

/** Concurrent updates of one index that can overtake a read-merge-write before it gives up. */
const MAX_MERGE_ATTEMPTS = 5;

/**
 * How long `recent` may serve a row it read (real time, not the domain clock): long enough that a
 * client asking many times a second costs one read per period, short enough that a change made by
 * another process is seen within it.
 */
const RECENT_MS = 100;
/** Indices whose rows `recent` holds at most (all forgotten when more come). */
const RECENT_ROWS = 1024;

interface RecentRow {
  row: IndexRow;
  at: number;
  /** indexRowWrites() when its read began: a write of this process ended since makes it stale. */
  writes: number;
  refreshing?: boolean;
}

/** Index life cycle (X-1..X-4). */
export class Indices {
  private readonly recentRows = new Map<string, RecentRow>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly lifecycle: Lifecycle,
    private readonly tokens: PageTokens,
    /** RECENT_MS, but for tests. */
    private readonly recentMs = RECENT_MS,
  ) {}

  async create(scope: Scope, input: NewIndex): Promise<string> {
    distinctTags(input.Tags ?? []);
    checkIndexRelevance((input.settings.DocumentMetadataConfigurations as FieldConfig[] | undefined) ?? []);
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

  /**
   * The index as read at most RECENT_MS ago by this process (this process's own writes to it, and to
   * what bumps its features_version, are seen at once: store/indexRowWrites.ts): for reads served many
   * times a second (Query, GetQuerySuggestions from the query log), where reading its row was a
   * statement (a round trip on PostgreSQL) of every request.
   * A row served more than half of `recentMs` after its read is read again once the request's answer is
   * written (two turns of setImmediate: after the answers of this turn, which http/server.ts writes in
   * a setImmediate of their own). Every RECENT_MS one request read the row itself (a Kysely query,
   * 30-50 µs of the request thread): the ~100 ms rhythm in GetQuerySuggestions' tail (#12).
   */
  async recent(scope: Scope, id: string): Promise<IndexRow> {
    const held = this.held(scope, id);
    if (held) return held;
    const now = performance.now();
    const writes = indexRowWrites();
    const row = await this.get(scope, id);
    if (this.recentRows.size >= RECENT_ROWS) this.recentRows.clear();
    this.recentRows.set(id, { row, at: now, writes });
    return row;
  }

  /**
   * `recent`'s row when it holds one (a row `recent` would serve without reading): for a caller that
   * then takes no turn of the event loop (no promise made and awaited) — undefined means `recent`.
   */
  held(scope: Scope, id: string): IndexRow | undefined {
    // Held by id, the scope compared on the row: no key string made (and hashed) per request.
    const now = performance.now();
    const hit = this.recentRows.get(id);
    if (!hit || now - hit.at >= this.recentMs || hit.writes !== indexRowWrites() || hit.row.account_id !== scope.accountId || hit.row.region !== scope.region) return undefined;
    if (now - hit.at >= this.recentMs / 2 && !hit.refreshing) {
      hit.refreshing = true;
      setImmediate(() => setImmediate(() => void this.refreshRecent(id, hit)));
    }
    return hit.row;
  }

  /** Reads a recent row again; kept unless it was forgotten meanwhile (the next `recent` then reads it). */
  private async refreshRecent(id: string, held: RecentRow): Promise<void> {
    const at = performance.now();
    const writes = indexRowWrites();
    try {
      const row = await this.store.indices.get({ accountId: held.row.account_id, region: held.row.region }, id);
      if (this.recentRows.get(id) !== held) return;
      if (row) this.recentRows.set(id, { row, at, writes });
      else this.recentRows.delete(id);
    } catch {
      // The next `recent` past `recentMs` reads the row itself, and answers what that read says.
      if (this.recentRows.get(id) === held) held.refreshing = false;
    }
  }

  /** The next `recent` of the index reads its row: this process changed what the row's versions count. */
  forgetRecent(id: string): void {
    this.recentRows.delete(id);
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
    // Settings are merged with what is stored; if another update lands in between, merge again onto it.
    for (let attempt = 0; ; attempt++) {
      const row = await this.get(scope, id);
      if (!UPDATABLE.includes(row.status)) throw conflict(`Index ${id} is ${row.status}; it can be updated when ACTIVE or UPDATING.`);
      const stored = JSON.parse(row.settings) as Record<string, unknown>;
      const settings = { ...stored, ...changes.settings };
      if (changes.fieldUpdates)
        settings.DocumentMetadataConfigurations = applyFieldUpdates((stored.DocumentMetadataConfigurations as IndexField[] | undefined) ?? [], changes.fieldUpdates);
      checkIndexRelevance((settings.DocumentMetadataConfigurations as FieldConfig[] | undefined) ?? [], 'DocumentMetadataConfigurationUpdates');
      const now = this.clock();
      const updated = await this.store.indices.update(
        id,
        {
          ...(changes.Name != null && { name: changes.Name }),
          ...(changes.RoleArn != null && { role_arn: changes.RoleArn }),
          ...(changes.Description != null && { description: changes.Description }),
          settings: JSON.stringify(settings),
          status: 'UPDATING',
          updated_at: now,
          transition_at: now + this.lifecycle.delayMs,
        },
        UPDATABLE,
        { settings: row.settings },
      );
      if (updated) break;
      if (attempt === MAX_MERGE_ATTEMPTS) throw conflict(`Index ${id} kept changing during the update; try again.`);
    }
    this.recentRows.clear();
    this.lifecycle.wake();
  }

  /** DELETING now; the life cycle worker stops its syncs and removes everything, then the row. */
  async delete(scope: Scope, id: string): Promise<void> {
    const row = await this.get(scope, id);
    if (row.status === 'DELETING') return;
    // The purge waits the same delay as other transitions, so that clients see DELETING as in Kendra.
    const now = this.clock();
    await this.store.indices.update(id, { status: 'DELETING', updated_at: now, transition_at: now + this.lifecycle.delayMs });
    this.recentRows.clear();
    this.lifecycle.wake();
  }
}
