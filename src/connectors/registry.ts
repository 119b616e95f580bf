// Which connector runs a data source, and with what settings, read from its configuration: Type S3
// with S3Configuration, or TEMPLATE with Kendra's S3 template or kendrite's FILESYSTEM template.
// The same parsing validates CreateDataSource/UpdateDataSource (ConfigurationError → ValidationException).
import type { Config } from '../config/config.js';
import type { Connector } from './contract.js';
import { ConfigurationError } from './contract.js';
import { DatabaseConnector } from './database.js';
import { parseDatabaseConfiguration, type DatabaseSource } from './databaseSource.js';
import { FolderConnector, type FolderSource } from './filesystem.js';
import { Glob } from './patterns.js';
import { S3Connector, type S3Source } from './s3.js';
import { s3Client } from './s3Client.js';
import { WebConnector } from './web/crawler.js';
import { parseWebCrawlerConfiguration, parseWebCrawlerTemplate, type WebSource } from './web/webSource.js';
import type { WebFrontierStore, WebPageStore } from '../store/webPages.js';

export type SyncMode = 'FULL_CRAWL' | 'FORCED_FULL_CRAWL' | 'CHANGE_LOG';

export type SourceSpec =
  | { kind: 'S3'; source: S3Source; syncMode: SyncMode; maxFileBytes?: number }
  | { kind: 'FILESYSTEM'; source: FolderSource; syncMode: SyncMode; maxFileBytes?: number }
  | { kind: 'DATABASE'; source: DatabaseSource; syncMode: SyncMode; maxFileBytes?: number }
  | { kind: 'WEBCRAWLER'; source: WebSource; syncMode: SyncMode; maxFileBytes?: number };

/** TEMPLATE types kendrite runs. */
export const TEMPLATE_TYPES = ['S3', 'FILESYSTEM', 'WEBCRAWLERV2'] as const;

/**
 * The data source types kendrite syncs, and what of each. Every type of the model is accepted by
 * CreateDataSource; a sync of any other ends FAILED naming these. The one list: sync errors,
 * `kendrite --help` and the README (checked by a test) say it from here.
 */
export const SYNCABLE_TYPES: Readonly<Record<string, string>> = {
  S3: 'S3Configuration: an S3 bucket',
  TEMPLATE: `template type ${TEMPLATE_TYPES.join(' or ')}`,
  DATABASE: 'DatabaseConfiguration: a PostgreSQL or MySQL/MariaDB table',
  WEBCRAWLER: 'WebCrawlerConfiguration: web sites, from seed URLs or site maps',
  CUSTOM: 'documents sent with BatchPutDocument',
};

export const SYNCABLE_TYPES_TEXT = Object.entries(SYNCABLE_TYPES).map(([type, what]) => `${type} (${what})`).join(', ');

const BUCKET = /^[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9]$/;
const SYNC_MODES: Record<string, readonly SyncMode[]> = {
  S3: ['FULL_CRAWL', 'FORCED_FULL_CRAWL', 'CHANGE_LOG'],
  FILESYSTEM: ['FULL_CRAWL', 'FORCED_FULL_CRAWL'],
  WEBCRAWLERV2: ['FULL_CRAWL', 'FORCED_FULL_CRAWL'],
};
const TEMPLATE_KEYS = new Set(['type', 'version', 'syncMode', 'connectionConfiguration', 'repositoryConfigurations', 'additionalProperties', 'enableIdentityCrawler', 'secretArn']);

/**
 * What a data source's configuration asks for. `undefined`: the type is not one of these connectors'
 * (CUSTOM, or a type another connector serves). Throws ConfigurationError when it cannot work.
 */
export function parseSource(type: string, configuration: Record<string, unknown> | undefined): SourceSpec | undefined {
  if (type === 'S3') return fromS3Configuration(configuration?.S3Configuration);
  if (type === 'WEBCRAWLER') return webSpec(parseWebCrawlerConfiguration(configuration?.WebCrawlerConfiguration), 'FULL_CRAWL');
  if (type === 'DATABASE') return { kind: 'DATABASE', source: parseDatabaseConfiguration(configuration?.DatabaseConfiguration), syncMode: 'FULL_CRAWL' };
  if (type !== 'TEMPLATE') return undefined;
  const template = (configuration?.TemplateConfiguration as { Template?: unknown } | undefined)?.Template;
  if (!isObject(template)) throw new ConfigurationError('TemplateConfiguration.Template must be a JSON object with a "type".');
  const ttype = template.type;
  if (typeof ttype !== 'string' || !ttype) throw new ConfigurationError('TemplateConfiguration.Template needs a "type" (for example "S3" or "FILESYSTEM").');
  if (!(TEMPLATE_TYPES as readonly string[]).includes(ttype)) return undefined;
  if (ttype === 'WEBCRAWLERV2') return webSpec(parseWebCrawlerTemplate(template), templateSyncMode(template, ttype));
  const unknown = Object.keys(template).filter((k) => !TEMPLATE_KEYS.has(k));
  if (unknown.length) throw new ConfigurationError(`The ${ttype} template has unknown member(s): ${unknown.join(', ')}.`);
  const syncMode = templateSyncMode(template, ttype);
  if (template.version !== undefined && typeof template.version !== 'string') throw new ConfigurationError(`The ${ttype} template's version must be a string.`);
  const conn = template.connectionConfiguration;
  const endpoint = isObject(conn) ? conn.repositoryEndpointMetadata : undefined;
  if (!isObject(endpoint)) throw new ConfigurationError(`The ${ttype} template needs connectionConfiguration.repositoryEndpointMetadata.`);
  const extra = template.additionalProperties ?? {};
  if (!isObject(extra)) throw new ConfigurationError(`The ${ttype} template's additionalProperties must be an object.`);
  const list = (key: string) => stringList(extra[key], `additionalProperties.${key}`);
  const maxFileBytes = megabytes(extra.maxFileSizeInMegaBytes);
  if (ttype === 'S3') {
    const bucket = endpoint.BucketName;
    if (typeof bucket !== 'string' || !BUCKET.test(bucket)) throw new ConfigurationError('The S3 template needs connectionConfiguration.repositoryEndpointMetadata.BucketName, a valid bucket name.');
    const metadataPrefix = extra.metadataFilesPrefix;
    if (metadataPrefix !== undefined && typeof metadataPrefix !== 'string') throw new ConfigurationError('additionalProperties.metadataFilesPrefix must be a string.');
    const source: S3Source = {
      bucket, inclusionPrefixes: list('inclusionPrefixes'), exclusionPrefixes: list('exclusionPrefixes'),
      inclusionPatterns: list('inclusionPatterns'), exclusionPatterns: list('exclusionPatterns'), metadataPrefix: metadataFolder(metadataPrefix),
    };
    checkPatterns(source);
    return { kind: 'S3', source, syncMode: syncMode as SyncMode, maxFileBytes };
  }
  const folder = endpoint.path;
  if (typeof folder !== 'string' || !folder.startsWith('/'))
    throw new ConfigurationError('The FILESYSTEM template needs connectionConfiguration.repositoryEndpointMetadata.path, an absolute path.');
  const source: FolderSource = { path: folder, inclusionPatterns: list('inclusionPatterns'), exclusionPatterns: list('exclusionPatterns') };
  checkPatterns(source);
  return { kind: 'FILESYSTEM', source, syncMode: syncMode as SyncMode, maxFileBytes };
}

function templateSyncMode(template: Record<string, unknown>, ttype: string): SyncMode {
  const syncMode = template.syncMode ?? 'FULL_CRAWL';
  if (typeof syncMode !== 'string' || !SYNC_MODES[ttype]!.includes(syncMode as SyncMode))
    throw new ConfigurationError(`The ${ttype} template's syncMode must be one of ${SYNC_MODES[ttype]!.join(', ')}.`);
  return syncMode as SyncMode;
}

function webSpec(source: WebSource, syncMode: SyncMode): SourceSpec {
  return { kind: 'WEBCRAWLER', source, syncMode, maxFileBytes: source.maxPageBytes };
}

function fromS3Configuration(c: unknown): SourceSpec {
  if (!isObject(c) || typeof c.BucketName !== 'string') throw new ConfigurationError('S3Configuration needs a BucketName.');
  const meta = c.DocumentsMetadataConfiguration as { S3Prefix?: string } | undefined;
  const source: S3Source = {
    bucket: c.BucketName,
    inclusionPrefixes: stringList(c.InclusionPrefixes, 'InclusionPrefixes'),
    inclusionPatterns: stringList(c.InclusionPatterns, 'InclusionPatterns'),
    exclusionPatterns: stringList(c.ExclusionPatterns, 'ExclusionPatterns'),
    metadataPrefix: metadataFolder(meta?.S3Prefix),
  };
  checkPatterns(source);
  return { kind: 'S3', source, syncMode: 'FULL_CRAWL' };
}

/**
 * The metadata prefix names a folder: Kendra's samples write `metadata` for the files under `metadata/`,
 * and joining the bare word to document keys would miss every metadata file without a word of warning.
 */
function metadataFolder(prefix: string | undefined): string | undefined {
  if (!prefix) return undefined;
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export interface ConnectorDeps {
  s3: Config['s3'];
  folders: Config['folders'];
  secrets: Config['secrets'];
  crawler: Config['crawler'];
  sync: Config['sync'];
  /** The web crawler's memory of pages, for the data source being synced. */
  webPages?: { store: WebPageStore; frontier: WebFrontierStore; dataSourceId: string };
}

export function connectorFor(spec: SourceSpec, deps: ConnectorDeps): Connector {
  if (spec.kind === 'WEBCRAWLER')
    return new WebConnector(spec.source, { crawler: deps.crawler, secrets: deps.secrets, concurrency: deps.sync.fetchConcurrency, pages: deps.webPages });
  if (spec.kind === 'DATABASE') return new DatabaseConnector(spec.source, deps.secrets);
  return spec.kind === 'S3' ? new S3Connector(s3Client(deps.s3), spec.source) : new FolderConnector(spec.source, deps.folders.allowedRoots, deps.folders.allowHardLinks);
}

function checkPatterns(s: { inclusionPatterns?: string[]; exclusionPatterns?: string[] }): void {
  for (const p of [...(s.inclusionPatterns ?? []), ...(s.exclusionPatterns ?? [])]) {
    try {
      new Glob(p);
    } catch {
      throw new ConfigurationError(`The pattern '${p}' is not a valid glob (check its [...] classes).`);
    }
  }
}

function stringList(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new ConfigurationError(`${what} must be a list of strings.`);
  return v as string[];
}

/** Kendra's templates give maxFileSizeInMegaBytes as a string ("50"); a number is accepted too. */
function megabytes(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new ConfigurationError('additionalProperties.maxFileSizeInMegaBytes must be a positive number of megabytes, such as "50".');
  return Math.floor(n * 1024 * 1024);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
