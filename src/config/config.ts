import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { CredentialConfig } from '../http/auth.js';
import { FOREIGN_ENV_PREFIXES, unknownConfigKeys, unknownEnvVariables } from './knownSettings.js';
import { LOG_LEVELS, type LogLevel } from '../observe/log.js';

/** Everything an operator can set. The file (--config) is JSON; environment variables override it. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… to share state between processes; absent means SQLite in dataDir. */
  databaseUrl?: string;
  /** Binding a non-loopback address with no credentials is refused unless this is set (P-6). */
  allowOpenPublic: boolean;
  credentials: CredentialConfig[];
  maxClockSkewSeconds: number;
  maxBodyBytes: number;
  /** Delay before CREATING/UPDATING resources become ACTIVE (X-1, D-1, D-4). */
  transitionDelayMs: number;
  /** Requests per second allowed per account and operation (P-10); absent = unlimited. */
  throttle: Record<string, { ratePerSecond: number; burst: number }>;
  sync: {
    /** A worker renews its job leases this often; a lease not renewed for leaseSeconds is expired (S-JOB-7). */
    leaseSeconds: number;
    heartbeatMs: number;
    /** How often the worker looks for queued documents and jobs to finish or reap. */
    pollMs: number;
    /** Documents a connector job fetches and extracts at once. */
    fetchConcurrency: number;
    /**
     * How long one of a connector job's write transactions lasts, about: its batches are cut to fit.
     * On SQLite a write of the API waits (its thread blocked) for the one under way to commit.
     */
    writeTransactionMs: number;
  };
  /** S-LIST-7: history older than `days` is deleted, the newest `keepLatest` per data source always kept. */
  retention?: { days: number; keepLatest: number };
  /** maxRssBytes: extractions in worker threads are stopped when the process's resident memory passes it. */
  limits: { maxDocumentBytes: number; maxTextBytes: number; maxDecompressionRatio: number; maxRssBytes: number; maxStringListValues: number };
  /**
   * statementTimeoutMs: a search statement running longer is cancelled (the query gets ValidationException);
   * on SQLite only when searches run on read threads. readThreads (SQLite): searches run on up to this many
   * worker threads, each with its own read-only connection; 0 runs them on the main thread. connections
   * (PostgreSQL): searches run on up to this many connections at once, the others waiting in this process.
   */
  search: { statementTimeoutMs: number; readThreads: number; connections: number };
  s3: { endpoint?: string; region?: string; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: string };
  /** Folders FILESYSTEM data sources may read (they and everything under them); none by default. */
  /** allowHardLinks: index files with more than one link (one may be a link to a file outside the folder). */
  folders: { allowedRoots: string[]; allowHardLinks: boolean };
  /**
   * Where a data source's SecretArn is read: `file` (a JSON map ARN → secret value) when it holds the
   * ARN, else AWS Secrets Manager at `endpoint` (the SDK's defaults when unset).
   */
  secrets: { endpoint?: string; region?: string; accessKeyId?: string; secretAccessKey?: string; file?: string };
  /**
   * The web crawler (WEBCRAWLER data sources). It never fetches loopback, private, link-local or
   * metadata addresses unless `allowHosts` names the host or `allowCidrs` holds the address; `hosts`
   * maps host names to addresses (like /etc/hosts); `defaultUrlsPerMinute` is the per-host rate when a
   * data source names none (0: no limit); `pageTimeoutMs` bounds one page's fetch.
   */
  crawler: { allowHosts: string[]; allowCidrs: string[]; hosts: Record<string, string>; defaultUrlsPerMinute: number; pageTimeoutMs: number };
  /** The log's least level written, and its format: JSON lines, or readable ones ('auto': readable on a terminal). */
  log: { level: LogLevel; format: 'auto' | 'json' | 'pretty' };
  /**
   * GET /metrics (Prometheus): on a listener of its own at `host`:`port` when `port` is set (0 picks
   * one), and on the API's port only if `onPublicPort`; nowhere by default.
   */
  metrics: { port?: number; host: string; onPublicPort: boolean };
  /**
   * The query log (suggestions, analytics): entries are written every `flushMs` in one batch, kept
   * `retentionDays` days; query suggestions are rebuilt from it at most every `suggestionsRefreshMs`.
   */
  queryLog: { flushMs: number; retentionDays: number; suggestionsRefreshMs: number };
}

export const DEFAULT_PORT = 4580;
/** search.readThreads at most: more threads than this only add memory (each has its own page cache). */
const MAX_READ_THREADS = 64;
/** search.connections at most (each is a PostgreSQL backend). */
const MAX_SEARCH_CONNECTIONS = 100;
/**
 * search.connections by default (PostgreSQL): twice the cores, at least 2. More statements at once than
 * cores only share them: on 2 vCPUs with 16 clients, 10 connections gave Query a p99 3.4–4.5 × its p50, 4 gave
 * 2.4–3.3 × at the same CPU per query (docs/query-at-scale-postgres.md).
 */
const DEFAULT_SEARCH_CONNECTIONS = Math.max(2, 2 * availableParallelism());

export function defaultConfig(): Config {
  return {
    host: '127.0.0.1',
    port: DEFAULT_PORT,
    dataDir: path.resolve('data'),
    allowOpenPublic: false,
    credentials: [],
    maxClockSkewSeconds: 900,
    maxBodyBytes: 60 * 1024 * 1024,
    transitionDelayMs: 100,
    throttle: {},
    sync: { leaseSeconds: 30, heartbeatMs: 5000, pollMs: 100, fetchConcurrency: 8, writeTransactionMs: 50 },
    limits: { maxDocumentBytes: 50 * 1024 * 1024, maxTextBytes: 5 * 1024 * 1024, maxDecompressionRatio: 100, maxRssBytes: 768 * 1024 * 1024, maxStringListValues: 10 },
    search: { statementTimeoutMs: 10_000, readThreads: availableParallelism(), connections: DEFAULT_SEARCH_CONNECTIONS },
    s3: { forcePathStyle: true },
    folders: { allowedRoots: [], allowHardLinks: false },
    secrets: {},
    crawler: { allowHosts: [], allowCidrs: [], hosts: {}, defaultUrlsPerMinute: 300, pageTimeoutMs: 30_000 },
    log: { level: 'info', format: 'auto' },
    metrics: { host: '127.0.0.1', onPublicPort: false },
    queryLog: { flushMs: 1000, retentionDays: 180, suggestionsRefreshMs: 60_000 },
  };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Defaults ← config file ← environment ← explicit overrides (CLI flags). */
export function loadConfig(opts: { file?: string; env?: Env; overrides?: Partial<Config> } = {}): Config {
  const env = opts.env ?? process.env;
  const unknownVariables = unknownEnvVariables(env, KNOWN_ENV);
  if (unknownVariables.length)
    throw new ConfigError(
      `unknown environment variable${unknownVariables.length > 1 ? 's' : ''} ${unknownVariables.join(', ')}; ` +
        `kendrite reads ${KNOWN_ENV.join(', ')} (${FOREIGN_ENV_PREFIXES.map((p) => `${p}*`).join(' and ')} belong to the tests and benchmarks)`,
    );
  let config = defaultConfig();
  const file = opts.file ?? env.KENDRITE_CONFIG;
  if (file) config = merge(config, readConfigFile(file));
  config = merge(config, fromEnv(env));
  if (opts.overrides) config = merge(config, opts.overrides);
  config.dataDir = path.resolve(config.dataDir);
  validateConfig(config);
  return config;
}

function readConfigFile(file: string): Partial<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be an object');
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const unknown = unknownConfigKeys(parsed);
  if (unknown.length) throw new ConfigError(`config file ${file}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  return parsed as Partial<Config>;
}

/** Each KENDRITE_* variable and the settings it gives (KENDRITE_CONFIG names the file; loadConfig reads it). */
const ENV_SETTINGS: Record<string, (value: string, name: string) => Partial<Config>> = {
  KENDRITE_HOST: (v) => ({ host: v }),
  KENDRITE_PORT: (v, name) => ({ port: intFromEnv(name, v) }),
  KENDRITE_DATA_DIR: (v) => ({ dataDir: v }),
  KENDRITE_DATABASE_URL: (v) => ({ databaseUrl: v }),
  KENDRITE_ALLOW_OPEN_PUBLIC: (v) => ({ allowOpenPublic: /^(1|true|yes)$/i.test(v) }),
  KENDRITE_TRANSITION_DELAY_MS: (v, name) => ({ transitionDelayMs: intFromEnv(name, v) }),
  KENDRITE_LEASE_SECONDS: (v, name) => ({ sync: { leaseSeconds: intFromEnv(name, v) } as Config['sync'] }),
  KENDRITE_SYNC_WRITE_TRANSACTION_MS: (v, name) => ({ sync: { writeTransactionMs: intFromEnv(name, v) } as Config['sync'] }),
  KENDRITE_S3_ENDPOINT: (v) => ({ s3: { endpoint: v } as Config['s3'] }),
  KENDRITE_SECRETS_ENDPOINT: (v) => ({ secrets: { endpoint: v } }),
  KENDRITE_SECRETS_FILE: (v) => ({ secrets: { file: v } }),
  KENDRITE_SEARCH_STATEMENT_TIMEOUT_MS: (v, name) => ({ search: { statementTimeoutMs: intFromEnv(name, v) } as Config['search'] }),
  KENDRITE_SEARCH_READ_THREADS: (v, name) => ({ search: { readThreads: intFromEnv(name, v) } as Config['search'] }),
  KENDRITE_SEARCH_CONNECTIONS: (v, name) => ({ search: { connections: intFromEnv(name, v) } as Config['search'] }),
  KENDRITE_CRAWLER_ALLOW_CIDRS: (v) => ({ crawler: { allowCidrs: v.split(',').map((c) => c.trim()).filter(Boolean) } as Config['crawler'] }),
  KENDRITE_FOLDER_ROOTS: (v) => ({ folders: { allowedRoots: v.split(path.delimiter).filter(Boolean) } as Config['folders'] }),
  KENDRITE_LOG_LEVEL: (v) => ({ log: { level: v } as Config['log'] }),
  KENDRITE_LOG_FORMAT: (v) => ({ log: { format: v } as Config['log'] }),
  KENDRITE_METRICS_PORT: (v, name) => ({ metrics: { port: intFromEnv(name, v) } as Config['metrics'] }),
};

/** Every KENDRITE_* variable the server reads; any other (but the tests' and benchmarks') is a mistake. */
export const KNOWN_ENV = ['KENDRITE_CONFIG', ...Object.keys(ENV_SETTINGS)];

function fromEnv(env: Env): Partial<Config> {
  // The SDK's own S3 endpoint variables apply unless KENDRITE_S3_ENDPOINT says otherwise.
  const awsS3Endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  let out: Partial<Config> = awsS3Endpoint ? { s3: { endpoint: awsS3Endpoint } as Config['s3'] } : {};
  // Likewise Secrets Manager's.
  const awsSecretsEndpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  if (awsSecretsEndpoint) out = merge(out, { secrets: { endpoint: awsSecretsEndpoint } });
  for (const [name, settings] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value) out = merge(out, settings(value, name));
  }
  return out;
}

function intFromEnv(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer, got '${value}'`);
  return n;
}

function merge<T>(base: T, over: Partial<T>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b, v as Partial<typeof b>)
        : v;
  }
  return out as T;
}

function validateConfig(c: Config): void {
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) throw new ConfigError(`port must be 0-65535, got ${c.port}`);
  if (c.databaseUrl && !/^postgres(ql)?:\/\//.test(c.databaseUrl))
    throw new ConfigError(`databaseUrl must be a postgres:// URL, got '${c.databaseUrl}'`);
  if (!Array.isArray(c.credentials)) throw new ConfigError('credentials must be a list');
  for (const [i, cred] of c.credentials.entries()) {
    if (!cred || typeof cred.accessKeyId !== 'string' || typeof cred.secretAccessKey !== 'string')
      throw new ConfigError(`credentials[${i}] needs accessKeyId and secretAccessKey`);
    cred.accountId ??= '000000000000';
    cred.permissions ??= 'read-write';
    if (!/^\d{12}$/.test(cred.accountId)) throw new ConfigError(`credentials[${i}].accountId must be 12 digits`);
    if (cred.permissions !== 'read' && cred.permissions !== 'read-write')
      throw new ConfigError(`credentials[${i}].permissions must be 'read' or 'read-write'`);
  }
  for (const [op, t] of Object.entries(c.throttle)) {
    if (!(t.ratePerSecond > 0) || !(t.burst >= 1)) throw new ConfigError(`throttle.${op} needs ratePerSecond > 0 and burst >= 1`);
  }
  if (c.retention && !(c.retention.days > 0 && Number.isInteger(c.retention.keepLatest) && c.retention.keepLatest >= 0))
    throw new ConfigError('retention needs days > 0 and keepLatest >= 0');
  if (!Number.isInteger(c.limits.maxStringListValues) || c.limits.maxStringListValues < 1) throw new ConfigError('limits.maxStringListValues must be an integer >= 1');
  if (!Number.isInteger(c.search.statementTimeoutMs) || c.search.statementTimeoutMs < 1) throw new ConfigError('search.statementTimeoutMs must be an integer >= 1');
  if (!Number.isInteger(c.search.readThreads) || c.search.readThreads < 0 || c.search.readThreads > MAX_READ_THREADS)
    throw new ConfigError(`search.readThreads must be an integer from 0 to ${MAX_READ_THREADS} (0: searches on the main thread), got ${JSON.stringify(c.search.readThreads)}`);
  if (!Number.isInteger(c.search.connections) || c.search.connections < 1 || c.search.connections > MAX_SEARCH_CONNECTIONS)
    throw new ConfigError(`search.connections must be an integer from 1 to ${MAX_SEARCH_CONNECTIONS}, got ${JSON.stringify(c.search.connections)}`);
  if (!Number.isInteger(c.sync.fetchConcurrency) || c.sync.fetchConcurrency < 1) throw new ConfigError('sync.fetchConcurrency must be an integer >= 1');
  if (!(c.sync.writeTransactionMs > 0)) throw new ConfigError(`sync.writeTransactionMs must be a number of milliseconds > 0, got ${JSON.stringify(c.sync.writeTransactionMs)}`);
  if (!Array.isArray(c.folders.allowedRoots) || !c.folders.allowedRoots.every((r) => typeof r === 'string' && path.isAbsolute(r)))
    throw new ConfigError('folders.allowedRoots must be a list of absolute paths');
  const sec = c.secrets as Record<string, unknown>;
  if (!sec || typeof sec !== 'object' || Array.isArray(sec)) throw new ConfigError('secrets must be an object');
  for (const k of ['endpoint', 'region', 'accessKeyId', 'secretAccessKey', 'file'])
    if (sec[k] !== undefined && typeof sec[k] !== 'string') throw new ConfigError(`secrets.${k} must be a string`);
  if (typeof c.folders.allowHardLinks !== 'boolean') throw new ConfigError('folders.allowHardLinks must be true or false');
  validateCrawler(c.crawler);
  if (!LOG_LEVELS.includes(c.log.level)) throw new ConfigError(`log.level must be one of ${LOG_LEVELS.join(', ')}; got '${String(c.log.level)}'`);
  if (!['auto', 'json', 'pretty'].includes(c.log.format)) throw new ConfigError(`log.format must be auto, json or pretty; got '${String(c.log.format)}'`);
  const m = c.metrics;
  if (m.port !== undefined && (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535)) throw new ConfigError(`metrics.port must be 0-65535, got ${String(m.port)}`);
  if (typeof m.host !== 'string' || !m.host) throw new ConfigError('metrics.host must be an address to listen on');
  if (typeof m.onPublicPort !== 'boolean') throw new ConfigError('metrics.onPublicPort must be true or false');
  for (const k of ['flushMs', 'retentionDays', 'suggestionsRefreshMs'] as const)
    if (!Number.isInteger(c.queryLog[k]) || c.queryLog[k] < (k === 'retentionDays' ? 1 : 0)) throw new ConfigError(`queryLog.${k} must be an integer >= ${k === 'retentionDays' ? 1 : 0}`);
}

function validateCrawler(w: Config['crawler']): void {
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!strings(w.allowHosts)) throw new ConfigError('crawler.allowHosts must be a list of host names');
  if (!strings(w.allowCidrs) || !w.allowCidrs.every(isCidr)) throw new ConfigError('crawler.allowCidrs must be a list of address ranges such as "10.1.0.0/16" or "fd00::/8"');
  if (!w.hosts || typeof w.hosts !== 'object' || Array.isArray(w.hosts) || !Object.values(w.hosts).every((a) => typeof a === 'string' && isIP(a) !== 0))
    throw new ConfigError('crawler.hosts must map host names to IP addresses');
  if (!Number.isInteger(w.defaultUrlsPerMinute) || w.defaultUrlsPerMinute < 0) throw new ConfigError('crawler.defaultUrlsPerMinute must be an integer >= 0 (0: no limit)');
  if (!Number.isInteger(w.pageTimeoutMs) || w.pageTimeoutMs < 1) throw new ConfigError('crawler.pageTimeoutMs must be an integer >= 1');
}

function isCidr(s: string): boolean {
  const [address, bits, extra] = s.split('/');
  const family = isIP(address ?? '');
  const n = Number(bits);
  return extra === undefined && family !== 0 && Number.isInteger(n) && n >= 0 && n <= (family === 6 ? 128 : 32);
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1 in any spelling, IPv4-mapped (`::ffff:127.0.0.1`) and bracketed forms included. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
