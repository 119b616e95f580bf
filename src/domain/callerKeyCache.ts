/**
 * Each caller's principal keys (the given user and groups, expanded through the principal mapping),
 * kept in memory so that a user of thousands of mapped groups is not expanded again at every query.
 * An entry names the index's mapping version it was computed at; a query reads the version (one
 * row, store/principalMappings.ts) and so never uses an expansion older than the mapping, whichever
 * process changed it. The same array is handed out for the same caller, so the search backend's own
 * per-array structures (fts5.ts's key Set) are built once too.
 *
 * Bounded by the keys held (a 10,000-group user weighs 10,000), least recently used first out.
 */
import type { Caller } from './access.js';

const MAX_KEYS = 500_000;

export class CallerKeyCache {
  private readonly entries = new Map<string, string[]>();
  private held = 0;

  constructor(private readonly maxKeys = MAX_KEYS) {}

  /** The cached keys of this caller at this version, else `compute()`'s, kept. */
  async get(indexId: string, version: number, caller: Caller, compute: () => Promise<string[]>): Promise<string[]> {
    const id = JSON.stringify([indexId, version, caller.userId ?? null, caller.groups, caller.dataSourceGroups.map((g) => [g.DataSourceId, g.GroupId])]);
    const hit = this.entries.get(id);
    if (hit) {
      // Most recently used last.
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const keys = await compute();
    if (keys.length > this.maxKeys) return keys;
    this.entries.set(id, keys);
    this.held += keys.length;
    for (const [oldest, k] of this.entries) {
      if (this.held <= this.maxKeys) break;
      this.entries.delete(oldest);
      this.held -= k.length;
    }
    return keys;
  }
}
