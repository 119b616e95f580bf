// A WEBCRAWLER data source's settings, read from either shape Kendra accepts: Type WEBCRAWLER with
// WebCrawlerConfiguration, or TEMPLATE with the WEBCRAWLERV2 template. Used by CreateDataSource and
// UpdateDataSource (ConfigurationError → ValidationException) and at every sync.
import { ConfigurationError } from '../contract.js';

export type CrawlMode = 'HOST_ONLY' | 'SUBDOMAINS' | 'EVERYTHING';

export interface HostCredentials {
  host: string;
  port: number;
  secretArn: string;
}

export interface WebSource {
  seeds: string[];
  siteMaps: string[];
  mode: CrawlMode;
  /** Levels from the seed (level 1) that are crawled. */
  depth: number;
  maxLinksPerPage: number;
  maxPageBytes: number;
  /** Requests per minute to one host; undefined: kendrite's crawler.defaultUrlsPerMinute. */
  urlsPerMinute?: number;
  inclusionPatterns: string[];
  exclusionPatterns: string[];
  basicAuth: HostCredentials[];
  proxy?: { host: string; port: number; secretArn?: string };
  honorRobots: boolean;
}

// Kendra's defaults (WebCrawlerConfiguration).
export const DEFAULT_DEPTH = 2;
export const DEFAULT_MAX_LINKS = 100;
export const DEFAULT_MAX_MB = 50;

const MODES: readonly CrawlMode[] = ['HOST_ONLY', 'SUBDOMAINS', 'EVERYTHING'];

/** Type WEBCRAWLER: WebCrawlerConfiguration. */
export function parseWebCrawlerConfiguration(c: unknown): WebSource {
  if (!isObject(c)) throw new ConfigurationError('A WEBCRAWLER data source needs a WebCrawlerConfiguration.');
  const urls = isObject(c.Urls) ? c.Urls : {};
  const seedConf = isObject(urls.SeedUrlConfiguration) ? urls.SeedUrlConfiguration : undefined;
  const siteConf = isObject(urls.SiteMapsConfiguration) ? urls.SiteMapsConfiguration : undefined;
  const mode = seedConf?.WebCrawlerMode ?? 'HOST_ONLY';
  if (!MODES.includes(mode as CrawlMode)) throw new ConfigurationError(`WebCrawlerMode must be one of ${MODES.join(', ')}.`);
  const auth = isObject(c.AuthenticationConfiguration) ? c.AuthenticationConfiguration.BasicAuthentication : undefined;
  const proxy = isObject(c.ProxyConfiguration) ? c.ProxyConfiguration : undefined;
  return checked({
    seeds: strings(seedConf?.SeedUrls, 'SeedUrls'),
    siteMaps: strings(siteConf?.SiteMaps, 'SiteMaps'),
    mode: mode as CrawlMode,
    depth: integer(c.CrawlDepth, 'CrawlDepth', DEFAULT_DEPTH),
    maxLinksPerPage: integer(c.MaxLinksPerPage, 'MaxLinksPerPage', DEFAULT_MAX_LINKS),
    maxPageBytes: megabytes(c.MaxContentSizePerPageInMegaBytes, 'MaxContentSizePerPageInMegaBytes'),
    urlsPerMinute: c.MaxUrlsPerMinuteCrawlRate === undefined ? undefined : integer(c.MaxUrlsPerMinuteCrawlRate, 'MaxUrlsPerMinuteCrawlRate', 0),
    inclusionPatterns: strings(c.UrlInclusionPatterns, 'UrlInclusionPatterns'),
    exclusionPatterns: strings(c.UrlExclusionPatterns, 'UrlExclusionPatterns'),
    basicAuth: (Array.isArray(auth) ? auth : []).map((a: unknown, i) => {
      const e = isObject(a) ? a : {};
      return { host: str(e.Host, `BasicAuthentication[${i}].Host`), port: integer(e.Port, `BasicAuthentication[${i}].Port`, 443), secretArn: str(e.Credentials, `BasicAuthentication[${i}].Credentials`) };
    }),
    proxy: proxy && {
      host: str(proxy.Host, 'ProxyConfiguration.Host'),
      port: integer(proxy.Port, 'ProxyConfiguration.Port', 0),
      secretArn: proxy.Credentials === undefined ? undefined : str(proxy.Credentials, 'ProxyConfiguration.Credentials'),
    },
    honorRobots: true,
  });
}

const V2_KEYS = new Set(['type', 'version', 'syncMode', 'connectionConfiguration', 'repositoryConfigurations', 'additionalProperties', 'enableIdentityCrawler', 'secretArn']);

/**
 * TEMPLATE type WEBCRAWLERV2: seeds in connectionConfiguration.repositoryEndpointMetadata.seedUrlConnections,
 * site maps in siteMapUrls; limits and rules in additionalProperties (numbers often given as strings).
 * `authentication: "BasicAuth"` uses the template's secretArn for every seed's host.
 */
export function parseWebCrawlerTemplate(t: Record<string, unknown>): WebSource {
  const unknown = Object.keys(t).filter((k) => !V2_KEYS.has(k));
  if (unknown.length) throw new ConfigurationError(`The WEBCRAWLERV2 template has unknown member(s): ${unknown.join(', ')}.`);
  const conn = isObject(t.connectionConfiguration) ? t.connectionConfiguration : {};
  const endpoint = isObject(conn.repositoryEndpointMetadata) ? conn.repositoryEndpointMetadata : undefined;
  if (!endpoint) throw new ConfigurationError('The WEBCRAWLERV2 template needs connectionConfiguration.repositoryEndpointMetadata.');
  const extra = t.additionalProperties ?? {};
  if (!isObject(extra)) throw new ConfigurationError("The WEBCRAWLERV2 template's additionalProperties must be an object.");
  const seedConnections = endpoint.seedUrlConnections ?? [];
  if (!Array.isArray(seedConnections)) throw new ConfigurationError('repositoryEndpointMetadata.seedUrlConnections must be a list of {"seedUrl": "…"}.');
  const seeds = seedConnections.map((s: unknown, i) => str(isObject(s) ? s.seedUrl : undefined, `seedUrlConnections[${i}].seedUrl`));
  const siteMaps = (Array.isArray(endpoint.siteMapUrls) ? endpoint.siteMapUrls : []).map((s: unknown, i) => str(isObject(s) ? s.siteMapUrl : s, `siteMapUrls[${i}]`));
  const authentication = endpoint.authentication ?? 'NoAuthentication';
  if (authentication !== 'NoAuthentication' && authentication !== 'BasicAuth')
    throw new ConfigurationError(`kendrite's web crawler supports the authentication NoAuthentication or BasicAuth, not ${String(authentication)}.`);
  if (authentication === 'BasicAuth' && typeof t.secretArn !== 'string') throw new ConfigurationError('BasicAuth needs the template\'s secretArn.');
  const mode: CrawlMode = flag(extra.crawlAllDomain) ? 'EVERYTHING' : flag(extra.crawlSubDomain) ? 'SUBDOMAINS' : 'HOST_ONLY';
  const rate = extra.rateLimit;
  return checked({
    seeds,
    siteMaps,
    mode,
    depth: integer(extra.crawlDepth, 'additionalProperties.crawlDepth', DEFAULT_DEPTH),
    maxLinksPerPage: integer(extra.maxLinksPerUrl, 'additionalProperties.maxLinksPerUrl', DEFAULT_MAX_LINKS),
    maxPageBytes: megabytes(extra.maxFileSize, 'additionalProperties.maxFileSize'),
    urlsPerMinute: rate === undefined || rate === '' ? undefined : integer(rate, 'additionalProperties.rateLimit', 0),
    inclusionPatterns: [...strings(extra.inclusionURLCrawlPatterns, 'inclusionURLCrawlPatterns'), ...strings(extra.inclusionURLIndexPatterns, 'inclusionURLIndexPatterns')],
    exclusionPatterns: [...strings(extra.exclusionURLCrawlPatterns, 'exclusionURLCrawlPatterns'), ...strings(extra.exclusionURLIndexPatterns, 'exclusionURLIndexPatterns')],
    basicAuth: authentication === 'BasicAuth' ? seeds.map((s) => ({ ...hostPort(s), secretArn: t.secretArn as string })) : [],
    proxy: isObject(extra.proxy) && extra.proxy.host ? { host: str(extra.proxy.host, 'proxy.host'), port: integer(extra.proxy.port, 'proxy.port', 0), secretArn: typeof extra.proxy.secretArn === 'string' ? extra.proxy.secretArn : undefined } : undefined,
    honorRobots: extra.honorRobots === undefined ? true : flag(extra.honorRobots),
  });
}

function checked(s: WebSource): WebSource {
  if (!s.seeds.length && !s.siteMaps.length) throw new ConfigurationError('A web crawler needs seed URLs or site map URLs.');
  if (s.seeds.length > 100) throw new ConfigurationError('A web crawler takes at most 100 seed URLs.');
  if (s.siteMaps.length > 3) throw new ConfigurationError('A web crawler takes at most 3 site map URLs.');
  for (const u of [...s.seeds, ...s.siteMaps]) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new ConfigurationError(`'${u}' is not a URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError(`'${u}' is not an http or https URL.`);
  }
  if (s.depth > 10) throw new ConfigurationError('CrawlDepth must be 0-10.');
  if (s.maxLinksPerPage < 1 || s.maxLinksPerPage > 1000) throw new ConfigurationError('MaxLinksPerPage must be 1-1000.');
  if (s.urlsPerMinute !== undefined && (s.urlsPerMinute < 1 || s.urlsPerMinute > 300)) throw new ConfigurationError('MaxUrlsPerMinuteCrawlRate must be 1-300.');
  for (const p of [...s.inclusionPatterns, ...s.exclusionPatterns]) {
    try {
      new RegExp(p);
    } catch {
      throw new ConfigurationError(`The URL pattern '${p}' is not a valid regular expression.`);
    }
  }
  return s;
}

export function hostPort(u: string): { host: string; port: number } {
  const url = new URL(u);
  return { host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
}

function flag(v: unknown): boolean {
  return v === true || v === 'true';
}

function integer(v: unknown, what: string, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ConfigurationError(`${what} must be a whole number >= 0.`);
  return n;
}

function megabytes(v: unknown, what: string): number {
  if (v === undefined || v === null || v === '') return DEFAULT_MAX_MB * 1024 * 1024;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new ConfigurationError(`${what} must be a positive number of megabytes.`);
  return Math.floor(n * 1024 * 1024);
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new ConfigurationError(`${what} must be a list of strings.`);
  return v as string[];
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v) throw new ConfigurationError(`${what} must be a non-empty string.`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
