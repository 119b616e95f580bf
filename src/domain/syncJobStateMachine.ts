/**
 * The sync job state machine: the only table that decides how a job may move (SEMANTICS "Sync jobs").
 * Terminal states have no exits. Every status change in the store is checked against it.
 */
export type SyncJobStatus = 'SYNCING' | 'SYNCING_INDEXING' | 'SUCCEEDED' | 'INCOMPLETE' | 'FAILED' | 'STOPPING' | 'ABORTED';

export const SYNC_JOB_TRANSITIONS: Readonly<Record<SyncJobStatus, readonly SyncJobStatus[]>> = {
  SYNCING: ['SYNCING_INDEXING', 'FAILED', 'STOPPING'],
  SYNCING_INDEXING: ['SUCCEEDED', 'INCOMPLETE', 'FAILED'],
  STOPPING: ['ABORTED'],
  SUCCEEDED: [],
  INCOMPLETE: [],
  FAILED: [],
  ABORTED: [],
};

/** Jobs in these states hold their data source (S-JOB-1) and may still change. */
export const ACTIVE_STATUSES: readonly SyncJobStatus[] = ['SYNCING', 'SYNCING_INDEXING', 'STOPPING'];

export const isTerminal = (s: SyncJobStatus) => SYNC_JOB_TRANSITIONS[s].length === 0;

/** The states a job may be in for a move to `to` to be allowed. */
export function sourcesOf(to: SyncJobStatus): SyncJobStatus[] {
  return (Object.keys(SYNC_JOB_TRANSITIONS) as SyncJobStatus[]).filter((from) => SYNC_JOB_TRANSITIONS[from].includes(to));
}

export function canTransition(from: SyncJobStatus, to: SyncJobStatus): boolean {
  return SYNC_JOB_TRANSITIONS[from].includes(to);
}
