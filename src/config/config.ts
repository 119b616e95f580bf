import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import type { CredentialConfig } from '../http/auth.js';

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
  };
  /** S-LIST-7: history older than `days` is deleted, the newest `keepLatest` per data source always kept. */
  retention?: { days: number; keepLatest: number };
  limits: { maxDocumentBytes: number; maxTextBytes: number; maxDecompressionRatio: number };
  s3: { endpoint?: string; region?: string; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: string };
  /** Folders FILESYSTEM data sources may read (they and everything under them); none by default. */
  /** allowHardLinks: index files with more than one link (one may be a link to a file outside the folder). */
  folders: { allowedRoots: string[]; allowHardLinks: boolean };
}

export const DEFAULT_PORT = 4580;

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
    sync: { leaseSeconds: 30, heartbeatMs: 5000, pollMs: 100, fetchConcurrency: 8 },
    limits: { maxDocumentBytes: 50 * 1024 * 1024, maxTextBytes: 5 * 1024 * 1024, maxDecompressionRatio: 100 },
    s3: { forcePathStyle: true },
    folders: { allowedRoots: [], allowHardLinks: false },
  };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Defaults ← config file ← environment ← explicit overrides (CLI flags). */
export function loadConfig(opts: { file?: string; env?: Env; overrides?: Partial<Config> } = {}): Config {
  const env = opts.env ?? process.env;
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
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be an object');
    return parsed as Partial<Config>;
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function fromEnv(env: Env): Partial<Config> {
  const out: Partial<Config> = {};
  if (env.KENDRITE_HOST) out.host = env.KENDRITE_HOST;
  if (env.KENDRITE_PORT) out.port = intFromEnv('KENDRITE_PORT', env.KENDRITE_PORT);
  if (env.KENDRITE_DATA_DIR) out.dataDir = env.KENDRITE_DATA_DIR;
  if (env.KENDRITE_DATABASE_URL) out.databaseUrl = env.KENDRITE_DATABASE_URL;
  if (env.KENDRITE_ALLOW_OPEN_PUBLIC) out.allowOpenPublic = /^(1|true|yes)$/i.test(env.KENDRITE_ALLOW_OPEN_PUBLIC);
  if (env.KENDRITE_TRANSITION_DELAY_MS)
    out.transitionDelayMs = intFromEnv('KENDRITE_TRANSITION_DELAY_MS', env.KENDRITE_TRANSITION_DELAY_MS);
  if (env.KENDRITE_LEASE_SECONDS)
    out.sync = { ...defaultConfig().sync, leaseSeconds: intFromEnv('KENDRITE_LEASE_SECONDS', env.KENDRITE_LEASE_SECONDS) };
  const s3: Partial<Config['s3']> = {};
  const s3Endpoint = env.KENDRITE_S3_ENDPOINT ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (s3Endpoint) s3.endpoint = s3Endpoint;
  if (Object.keys(s3).length) out.s3 = s3 as Config['s3'];
  if (env.KENDRITE_FOLDER_ROOTS) out.folders = { allowedRoots: env.KENDRITE_FOLDER_ROOTS.split(path.delimiter).filter(Boolean) } as Config['folders'];
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
  if (!Number.isInteger(c.sync.fetchConcurrency) || c.sync.fetchConcurrency < 1) throw new ConfigError('sync.fetchConcurrency must be an integer >= 1');
  if (!Array.isArray(c.folders.allowedRoots) || !c.folders.allowedRoots.every((r) => typeof r === 'string' && path.isAbsolute(r)))
    throw new ConfigError('folders.allowedRoots must be a list of absolute paths');
  if (typeof c.folders.allowHardLinks !== 'boolean') throw new ConfigError('folders.allowHardLinks must be true or false');
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
