import type { Store } from './store/store.js';
import type { BackgroundWorker } from './sync/worker.js';
import { VERSION } from './version.js';

/** Long enough for a busy but working store; short enough for a load balancer's probe. */
export const HEALTH_TIMEOUT_MS = 2000;

export interface Health {
  status: 200 | 503;
  body: { status: 'ok' | 'unavailable'; version: string; store: string; checks: { store: string; worker: string } };
}

/**
 * GET /health: checks what it claims. The store must answer a statement through the same pool
 * requests use, within HEALTH_TIMEOUT_MS (a pool held by stuck requests answered "ok" before), and
 * the background worker must be running and renewing its job leases. 503 names what failed; the
 * version says which kendrite answered.
 */
export async function checkHealth(store: Store, worker: BackgroundWorker): Promise<Health> {
  const storeCheck = await store.conn.ping(HEALTH_TIMEOUT_MS).then(
    () => 'ok',
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  const workerCheck = worker.problem() ?? 'ok';
  const ok = storeCheck === 'ok' && workerCheck === 'ok';
  return {
    status: ok ? 200 : 503,
    body: { status: ok ? 'ok' : 'unavailable', version: VERSION, store: store.conn.dialect, checks: { store: storeCheck, worker: workerCheck } },
  };
}
