import { randomUUID } from 'node:crypto';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/**
 * Sync job history written straight into a stopped kendrite's SQLite store, in the shape kendrite
 * itself leaves finished jobs (src/store/syncJobs.ts): terminal statuses only, EndTime set, metrics,
 * start slot released, no lease. Start times and statuses follow a fixed plan, so a benchmark knows
 * which jobs any page must hold without keeping a million ids in memory.
 */

export interface HistoryPlan {
  indexId: string;
  dataSourceId: string;
  /** Jobs in the history. */
  count: number;
  /** StartTime (epoch ms) of the oldest job; job i starts at firstStart + i × spacingMs. */
  firstStart: number;
  spacingMs: number;
}

/** What a CUSTOM data source's finished jobs end as (ABORTED needs a connector job, STOPPING). */
export type TerminalStatus = 'SUCCEEDED' | 'INCOMPLETE' | 'FAILED';

export const startOf = (plan: HistoryPlan, i: number): number => plan.firstStart + i * plan.spacingMs;

/** A fixed spread of outcomes, ~82 % SUCCEEDED, 11 % INCOMPLETE, 7 % FAILED, in no visible order. */
export function statusOf(i: number): TerminalStatus {
  const h = mix(i) % 100;
  return h < 82 ? 'SUCCEEDED' : h < 93 ? 'INCOMPLETE' : 'FAILED';
}

/** Index (oldest = 0) of the newest job at or below `below` that has `status`, or -1. */
export function newestWithStatus(status: TerminalStatus, below: number): number {
  for (let i = below; i >= 0; i--) if (statusOf(i) === status) return i;
  return -1;
}

function mix(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const INTERRUPTED = 'The sync was interrupted: the server stopped while the job was running. Start the sync again.';

/**
 * Inserts every plan's jobs in StartTime order across plans (so the sequence numbers of a data
 * source's jobs interleave with the others', as they do in a shared store), in one transaction with
 * one prepared statement. The server must be stopped.
 */
export function seedSyncJobs(dataDir: string, plans: HistoryPlan[]): void {
  const db = new BetterSqlite3(path.join(dataDir, 'kendrite.db'));
  try {
    db.pragma('cache_size = -262144');
    const insert = db.prepare(`INSERT INTO sync_jobs (
        execution_id, index_id, data_source_id, data_source_type, start_time, end_time, status,
        error_code, error_message, data_source_error_code,
        documents_added, documents_modified, documents_deleted, documents_failed, documents_scanned,
        start_slot, data_source_snapshot, lease_owner, lease_expires_at, stop_requested)
      VALUES (?, ?, ?, 'CUSTOM', ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 0, NULL, '{}', NULL, NULL, 0)`);
    db.transaction(() => {
      const next = plans.map(() => 0);
      for (;;) {
        let p = -1;
        for (let k = 0; k < plans.length; k++) {
          if (next[k]! < plans[k]!.count && (p < 0 || startOf(plans[k]!, next[k]!) < startOf(plans[p]!, next[p]!))) p = k;
        }
        if (p < 0) break;
        const plan = plans[p]!;
        const i = next[p]!++;
        const h = mix(i + 7919);
        const start = startOf(plan, i);
        const status = statusOf(i);
        const failed = status === 'FAILED';
        insert.run(
          randomUUID(), plan.indexId, plan.dataSourceId, start, start + 2_000 + (h % 58_000), status,
          failed ? 'InternalError' : null, failed ? INTERRUPTED : null,
          failed ? 0 : h % 40, failed ? 0 : (h >>> 8) % 15, failed ? 0 : (h >>> 12) % 4, status === 'INCOMPLETE' ? 1 + ((h >>> 16) % 6) : 0,
        );
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
