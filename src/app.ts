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
import { Faqs } from './domain/faqs.js';
import { FeaturedResults } from './domain/featuredResults.js';
import { QueryFeatures } from './domain/queryFeatures.js';
import { SpellCheck } from './domain/spellCheck.js';
import { Thesauri } from './domain/thesauri.js';
import { UserContexts } from './domain/userContext.js';
import { UserTokenVerifier } from './auth/userToken.js';
import { Indices } from './domain/indices.js';
import { Experiences } from './domain/experiences.js';
import { Lifecycle } from './domain/lifecycle.js';
import { PageTokens } from './domain/pageToken.js';
import { SyncJobs } from './domain/syncJobs.js';
import { Authenticator } from './http/auth.js';
import { checkHealth, HEALTH_TIMEOUT_MS } from './health.js';
import { applyHeapPolicy } from './heapPolicy.js';
import { createHttpServer } from './http/server.js';
import { createConsole } from './console/console.js';
import { Throttle } from './http/throttle.js';
import { DataDirInUseError } from './store/dataDirLock.js';
import { sharedSecret } from './store/secrets.js';
import { FeedbackStore } from './store/feedback.js';
import { Store } from './store/store.js';
import { searchEngineFor } from './search/index.js';
import { DocumentIndexer } from './sync/documentIndexer.js';
import { inlineWriter } from './sync/batchWriter.js';
import { ThreadWriter } from './sync/threadWriter.js';
import { LifecycleWorker } from './sync/lifecycleWorker.js';
import { JobRunner } from './sync/runner.js';
import { BackgroundWorker } from './sync/worker.js';
import { createLog, type Log } from './observe/log.js';
import { Metrics } from './observe/metrics.js';
import { requestLineWriter } from './observe/requestLine.js';
import { serveMetrics } from './observe/metricsServer.js';
import { syncJobEvents } from './observe/syncJobEvents.js';
import { VERSION } from './version.js';

export class StartupError extends Error {}

export interface Running {
  address: AddressInfo;
  url: string;
  store: Store;
  /** Where GET /metrics is served on a port of its own (metrics.port), if it is. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/** Wires the layers together and starts serving: the one place that knows every part. */
export async function startKendrite(config: Config, opts: { clock?: Clock; log?: Log } = {}): Promise<Running> {
  applyHeapPolicy();
  const log = opts.log ?? createLog(config.log);
  if (!config.credentials.length && !isLoopback(config.host) && !config.allowOpenPublic)
    throw new StartupError(
      `Refusing to listen on ${config.host} with no credentials configured: anyone who can reach it could use it. ` +
        'Configure credentials in the config file, listen on 127.0.0.1, or set KENDRITE_ALLOW_OPEN_PUBLIC=1 to accept the risk.',
    );
  const clock = opts.clock ?? systemClock;
  const store = await Store.open(config, log).catch((e: unknown) => {
    throw e instanceof DataDirInUseError ? new StartupError(e.message) : e;
  });
  const metrics = new Metrics(VERSION, {
    activeJobs: () => store.syncJobs.activeCounts(),
    indexStatistics: () => store.documents.statisticsByIndex(),
    storeProblem: () => store.conn.ping(HEALTH_TIMEOUT_MS).then(() => undefined, (e: unknown) => String(e)),
    workerProblem: () => worker.problem(),
  });
  store.syncJobs.onChange(syncJobEvents(log, metrics));
  const tokens = new PageTokens(await sharedSecret(store.db, 'page-token'), clock);
  const lifecycle = new Lifecycle(config.transitionDelayMs);
  const fetchS3 = s3Fetcher(config.s3);
  const indexer = new DocumentIndexer(store, clock, config.limits, fetchS3);
  // On SQLite connector syncs write on a thread of their own, and the main thread stays free for requests.
  const writer = store.conn.sqlite
    ? new ThreadWriter({ databaseFile: store.conn.sqlite.name, limits: config.limits }, clock, () => store.syncJobs.committedElsewhere(), log)
    : inlineWriter(store, indexer, clock);
  const runner = new JobRunner(store, clock, writer, config, log);
  const worker = new BackgroundWorker(store, clock, config, indexer, new LifecycleWorker(store, clock), runner, log);
  lifecycle.onWake(() => setTimeout(() => worker.wake(), config.transitionDelayMs));
  const indices = new Indices(store, clock, lifecycle, tokens);
  const dataSources = new DataSources(store, clock, indices, lifecycle, tokens);
  const syncJobs = new SyncJobs(store, clock, indices, dataSources, tokens, worker);
  const documents = new Documents(store, clock, indices, config.limits, () => worker.wake());
  // On SQLite the engine reads through its own read-only connection, never inside the indexer's transactions.
  const search = searchEngineFor(store.conn, { databaseUrl: config.databaseUrl, ...config.search, log });
  const principalMappings = new PrincipalMappings(store, clock, indices, tokens, (bucket, key) => fetchS3(bucket, key));
  const faqs = new Faqs(store, clock, indices, tokens, (bucket, key) => fetchS3(bucket, key), config.transitionDelayMs, log);
  const featuredResults = new FeaturedResults(store, clock, indices, tokens);
  const thesauri = new Thesauri(store, clock, indices, tokens, (bucket, key) => fetchS3(bucket, key), config.transitionDelayMs, log);
  const features = new QueryFeatures(search, featuredResults, store.faqs, thesauri, new SpellCheck(store));
  const userContexts = new UserContexts(new UserTokenVerifier(config.secrets, clock), principalMappings);
  const queryLog = new QueryLog(store.queryLog, clock, config.queryLog, log);
  const query = new QueryService(search, indices, userContexts, features, (q) => queryLog.record(q));
  const querySuggestions = new QuerySuggestions(store, clock, indices, search, userContexts, queryLog, config.queryLog.suggestionsRefreshMs);
  const analytics = new Analytics(store.queryLog, queryLog, indices, tokens, clock);
  const blockLists = new BlockLists(store, clock, indices, tokens, (bucket, key) => fetchS3(bucket, key), (indexId) => querySuggestions.invalidate(indexId));
  const feedback = new Feedback(new FeedbackStore(store.db), indices, clock);
  const accessConfigurations = new AccessConfigurations(store, clock, indices, tokens);
  // The experience page's URL names the address the server listens on, known once it does.
  let consoleBase = '';
  const experiences = new Experiences(store, clock, indices, lifecycle, tokens, (id) => `${consoleBase}/console/experiences/${id}`);
  const services: Services = {
    config, store, indices, dataSources, syncJobs, documents, query, feedback, principalMappings, accessConfigurations,
    experiences, faqs, featuredResults, thesauri, querySuggestions, blockLists, analytics,
  };

  const requestLine = requestLineWriter(log);
  const server = createHttpServer({
    authenticator: new Authenticator({ credentials: config.credentials, maxClockSkewSeconds: config.maxClockSkewSeconds }, clock),
    throttle: new Throttle(config.throttle, clock),
    services: [kendraService(services), kendriteService(services)],
    maxBodyBytes: config.maxBodyBytes,
    health: () => checkHealth(store, worker),
    metrics: config.metrics.onPublicPort ? async () => ({ contentType: metrics.contentType, body: await metrics.text() }) : undefined,
    console: createConsole({ services, sessionKey: await sharedSecret(store.db, 'console-session'), credentials: config.credentials, open: !config.credentials.length && isLoopback(config.host) }),
    log,
    onAnswered: (a) => {
      metrics.request(a.operation, a.status, a.ms / 1000);
      // Probes and scrapes come every few seconds: their lines only when asked for (debug).
      const level = a.operation.startsWith('GET ') ? 'debug' : a.status >= 500 ? 'error' : 'info';
      requestLine(level, a);
    },
  });
  await worker.start(syncJobs);
  const metricsServer = config.metrics.port === undefined ? undefined : await serveMetrics(metrics, config.metrics.host, config.metrics.port, log);
  const address = await server.listen(config.port, config.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info({ version: VERSION, url, store: store.conn.dialect, metrics: metricsServer?.url ?? (config.metrics.onPublicPort ? `${url}/metrics` : undefined), workerId: worker.id }, 'kendrite started');
  consoleBase = `http://${host}:${address.port}`;
  return {
    address,
    url,
    store,
    metricsUrl: metricsServer?.url,
    async close() {
      await metricsServer?.close();
      await server.close();
      await worker.stop();
      await writer.close();
      await queryLog.close();
      await search.close();
      await store.close();
    },
  };
}
