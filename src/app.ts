import type { AddressInfo } from 'node:net';
import { kendraService } from './api/kendraService.js';
import { kendriteService } from './api/kendriteService.js';
import type { Services } from './api/context.js';
import { isLoopback, type Config } from './config/config.js';
import { s3Fetcher } from './connectors/s3Client.js';
import { systemClock, type Clock } from './domain/clock.js';
import { DataSources } from './domain/dataSources.js';
import { Documents } from './domain/documents.js';
import { Feedback } from './domain/feedback.js';
import { QueryService } from './domain/query.js';
import { QueryLog } from './domain/queryLog.js';
import { QuerySuggestions } from './domain/querySuggestions.js';
import { BlockLists } from './domain/blockLists.js';
import { Analytics } from './domain/analytics.js';
import { PrincipalMappings } from './domain/principalMapping.js';
import { AccessConfigurations } from './domain/accessConfigurations.js';
import { UserContexts } from './domain/userContext.js';
import { UserTokenVerifier } from './auth/userToken.js';
import { Indices } from './domain/indices.js';
import { Lifecycle } from './domain/lifecycle.js';
import { PageTokens } from './domain/pageToken.js';
import { SyncJobs } from './domain/syncJobs.js';
import { Authenticator } from './http/auth.js';
import { checkHealth } from './health.js';
import { applyHeapPolicy } from './heapPolicy.js';
import { createHttpServer } from './http/server.js';
import { Throttle } from './http/throttle.js';
import { DataDirInUseError } from './store/dataDirLock.js';
import { sharedSecret } from './store/secrets.js';
import { FeedbackStore } from './store/feedback.js';
import { Store } from './store/store.js';
import { searchEngineFor } from './search/index.js';
import { DocumentIndexer } from './sync/documentIndexer.js';
import { LifecycleWorker } from './sync/lifecycleWorker.js';
import { JobRunner } from './sync/runner.js';
import { BackgroundWorker, type Log } from './sync/worker.js';

export class StartupError extends Error {}

export interface Running {
  address: AddressInfo;
  url: string;
  store: Store;
  close(): Promise<void>;
}

/** Wires the layers together and starts serving: the one place that knows every part. */
export async function startKendrite(config: Config, opts: { clock?: Clock; log?: Log } = {}): Promise<Running> {
  applyHeapPolicy();
  const log = opts.log ?? ((line) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`));
  if (!config.credentials.length && !isLoopback(config.host) && !config.allowOpenPublic)
    throw new StartupError(
      `Refusing to listen on ${config.host} with no credentials configured: anyone who can reach it could use it. ` +
        'Configure credentials in the config file, listen on 127.0.0.1, or set KENDRITE_ALLOW_OPEN_PUBLIC=1 to accept the risk.',
    );
  const clock = opts.clock ?? systemClock;
  const store = await Store.open(config, log).catch((e: unknown) => {
    throw e instanceof DataDirInUseError ? new StartupError(e.message) : e;
  });
  const tokens = new PageTokens(await sharedSecret(store.db, 'page-token'), clock);
  const lifecycle = new Lifecycle(config.transitionDelayMs);
  const fetchS3 = s3Fetcher(config.s3);
  const indexer = new DocumentIndexer(store, clock, config.limits, fetchS3);
  const runner = new JobRunner(store, clock, indexer, config, log);
  const worker = new BackgroundWorker(store, clock, config, indexer, new LifecycleWorker(store, clock), runner, log);
  lifecycle.onWake(() => setTimeout(() => worker.wake(), config.transitionDelayMs));
  const indices = new Indices(store, clock, lifecycle, tokens);
  const dataSources = new DataSources(store, clock, indices, lifecycle, tokens);
  const syncJobs = new SyncJobs(store, clock, indices, dataSources, tokens, worker);
  const documents = new Documents(store, clock, indices, config.limits, () => worker.wake());
  // On SQLite the engine reads through its own read-only connection, never inside the indexer's transactions.
  const search = searchEngineFor(store.conn, { databaseUrl: config.databaseUrl, statementTimeoutMs: config.search.statementTimeoutMs });
  const principalMappings = new PrincipalMappings(store, clock, indices, tokens, (bucket, key) => fetchS3(bucket, key));
  const userContexts = new UserContexts(new UserTokenVerifier(config.secrets, clock), principalMappings);
  const queryLog = new QueryLog(store.queryLog, clock, config.queryLog, log);
  const query = new QueryService(search, indices, userContexts, (q) => queryLog.record(q));
  const querySuggestions = new QuerySuggestions(store, clock, indices, search, userContexts, queryLog, config.queryLog.suggestionsRefreshMs);
  const analytics = new Analytics(store.queryLog, queryLog, indices, tokens, clock);
  const blockLists = new BlockLists(store, clock, indices, tokens, (bucket, key) => fetchS3(bucket, key), (indexId) => querySuggestions.invalidate(indexId));
  const feedback = new Feedback(new FeedbackStore(store.db), indices, clock);
  const accessConfigurations = new AccessConfigurations(store, clock, indices, tokens);
  const services: Services = { config, store, indices, dataSources, syncJobs, documents, query, feedback, principalMappings, accessConfigurations, querySuggestions, blockLists, analytics };

  const server = createHttpServer({
    authenticator: new Authenticator({ credentials: config.credentials, maxClockSkewSeconds: config.maxClockSkewSeconds }, clock),
    throttle: new Throttle(config.throttle, clock),
    services: [kendraService(services), kendriteService(services)],
    maxBodyBytes: config.maxBodyBytes,
    health: () => checkHealth(store, worker),
    log,
  });
  await worker.start(syncJobs);
  const address = await server.listen(config.port, config.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    address,
    url: `http://${host}:${address.port}`,
    store,
    async close() {
      await server.close();
      await worker.stop();
      await queryLog.close();
      await search.close();
      await store.close();
    },
  };
}
