// Which settings exist, so that a typo in the config file or in a KENDRITE_* variable stops the server
// with the name it meant instead of being ignored while a default silently applies.
import type { Config } from './config.js';

/** A setting's value: a leaf, an object of known keys, a list of one shape, or a map of free names to one shape. */
type Shape = 'leaf' | { keys: Record<string, Shape> } | { listOf: Shape } | { mapOf: Shape };

const leaf = 'leaf' as const;
const obj = <K extends string>(keys: Record<K, Shape>) => ({ keys });

/** Every key of Config, at every level (`satisfies` keeps this list and the type in step). */
const CONFIG_SHAPE = obj({
  host: leaf,
  port: leaf,
  dataDir: leaf,
  databaseUrl: leaf,
  allowOpenPublic: leaf,
  credentials: { listOf: obj({ accessKeyId: leaf, secretAccessKey: leaf, accountId: leaf, permissions: leaf } satisfies Record<keyof Config['credentials'][number], Shape>) },
  maxClockSkewSeconds: leaf,
  maxBodyBytes: leaf,
  transitionDelayMs: leaf,
  throttle: { mapOf: obj({ ratePerSecond: leaf, burst: leaf } satisfies Record<keyof Config['throttle'][string], Shape>) },
  sync: obj({ leaseSeconds: leaf, heartbeatMs: leaf, pollMs: leaf, fetchConcurrency: leaf, writeTransactionMs: leaf } satisfies Record<keyof Config['sync'], Shape>),
  retention: obj({ days: leaf, keepLatest: leaf } satisfies Record<keyof NonNullable<Config['retention']>, Shape>),
  limits: obj({ maxDocumentBytes: leaf, maxTextBytes: leaf, maxDecompressionRatio: leaf, maxRssBytes: leaf, maxStringListValues: leaf } satisfies Record<keyof Config['limits'], Shape>),
  s3: obj({ endpoint: leaf, region: leaf, forcePathStyle: leaf, accessKeyId: leaf, secretAccessKey: leaf } satisfies Record<keyof Config['s3'], Shape>),
  folders: obj({ allowedRoots: leaf, allowHardLinks: leaf } satisfies Record<keyof Config['folders'], Shape>),
  search: obj({ statementTimeoutMs: leaf, readThreads: leaf, connections: leaf } satisfies Record<keyof Config['search'], Shape>),
  secrets: obj({ endpoint: leaf, region: leaf, accessKeyId: leaf, secretAccessKey: leaf, file: leaf } satisfies Record<keyof Config['secrets'], Shape>),
  crawler: obj({ allowHosts: leaf, allowCidrs: leaf, hosts: leaf, defaultUrlsPerMinute: leaf, pageTimeoutMs: leaf } satisfies Record<keyof Config['crawler'], Shape>),
  log: obj({ level: leaf, format: leaf } satisfies Record<keyof Config['log'], Shape>),
  metrics: obj({ port: leaf, host: leaf, onPublicPort: leaf } satisfies Record<keyof Config['metrics'], Shape>),
  queryLog: obj({ flushMs: leaf, retentionDays: leaf, suggestionsRefreshMs: leaf } satisfies Record<keyof Config['queryLog'], Shape>),
} satisfies Record<keyof Config, Shape>);

/**
 * Variables of these prefixes belong to the test suite (KENDRITE_TEST_POSTGRES_URL…) and the
 * benchmarks (KENDRITE_BENCH_FOLDER_FILES…), which start servers with their own environment.
 */
export const FOREIGN_ENV_PREFIXES = ['KENDRITE_TEST_', 'KENDRITE_BENCH_'];

/** The unknown keys of a config file, each with the nearest known one; empty when all are known. */
export function unknownConfigKeys(file: unknown): string[] {
  const unknown: string[] = [];
  walk(file, CONFIG_SHAPE, '', unknown);
  return unknown;
}

/** The unknown KENDRITE_* variables of an environment, each with the nearest known one. */
export function unknownEnvVariables(env: Record<string, string | undefined>, known: readonly string[]): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('KENDRITE_') && !known.includes(name) && !FOREIGN_ENV_PREFIXES.some((p) => name.startsWith(p)))
    .sort()
    .map((name) => `${name}${didYouMean(nearest(name, known))}`);
}

function walk(value: unknown, shape: Shape, path: string, unknown: string[]): void {
  if (shape === 'leaf' || typeof value !== 'object' || value === null) return;
  if ('listOf' in shape) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, shape.listOf, `${path}[${i}]`, unknown));
    return;
  }
  if (Array.isArray(value)) return;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if ('mapOf' in shape) walk(item, shape.mapOf, at, unknown);
    else if (Object.hasOwn(shape.keys, key)) walk(item, shape.keys[key]!, at, unknown);
    else {
      const here = Object.keys(shape.keys).map((k) => (path ? `${path}.${k}` : k));
      const best = nearest(at, here, knownPaths());
      unknown.push(`${at}${best ? didYouMean(best) : ` (known here: ${here.join(', ')})`}`);
    }
  }
}

/** Every key path of the config, from the top, for a key written at the wrong level. */
function knownPaths(shape: Shape = CONFIG_SHAPE, path = ''): string[] {
  if (shape === 'leaf') return [];
  if ('listOf' in shape) return knownPaths(shape.listOf, `${path}[0]`);
  if ('mapOf' in shape) return knownPaths(shape.mapOf, `${path}.<operation>`);
  return Object.entries(shape.keys).flatMap(([k, s]) => {
    const at = path ? `${path}.${k}` : k;
    return [at, ...knownPaths(s, at)];
  });
}

/**
 * What `name` probably meant: the same key at another level (`fetchConcurrency` for
 * `sync.fetchConcurrency`), else the closest key of this level if it is close enough to be a typo.
 */
function nearest(name: string, here: readonly string[], elsewhere: readonly string[] = []): string | undefined {
  const leafOf = (s: string) => s.slice(s.lastIndexOf('.') + 1).toLowerCase();
  const leaf = leafOf(name);
  let best = [...here, ...elsewhere].find((c) => leafOf(c) === leaf);
  let bestDistance = Math.max(2, Math.floor(leaf.length / 4)) + 1;
  for (const c of best ? [] : here) {
    const other = leafOf(c);
    const d = leaf.length >= 3 && (other.startsWith(leaf) || leaf.startsWith(other)) ? 0 : distance(leaf, other);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

const didYouMean = (best: string | undefined) => (best ? ` (did you mean ${best}?)` : '');

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
