// URLs as the crawler keeps them (one spelling per page, so each is fetched and indexed once) and
// which of them it may crawl: the crawl mode's hosts, then the inclusion and exclusion patterns.
import type { CrawlMode } from './webSource.js';

/** Kendra's longest document id; a longer URL is not crawled. */
export const MAX_URL_LENGTH = 2048;

/**
 * The URL `href` names, seen from `base`, in one spelling: http(s) only, the fragment dropped, the
 * host lower case, the default port left out, an empty path as "/". Undefined: not a page to crawl.
 */
export function normalizeUrl(href: string, base?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  url.username = '';
  url.password = '';
  const s = url.toString(); // WHATWG URL already lower-cases the host, drops the default port and gives "/" for an empty path
  return s.length > MAX_URL_LENGTH ? undefined : s;
}

export class Scope {
  private readonly hosts: Set<string>;
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(
    private readonly mode: CrawlMode,
    startUrls: string[],
    inclusionPatterns: string[],
    exclusionPatterns: string[],
  ) {
    this.hosts = new Set(startUrls.map((u) => new URL(u).hostname));
    this.include = inclusionPatterns.map((p) => new RegExp(p));
    this.exclude = exclusionPatterns.map((p) => new RegExp(p));
  }

  /** Whether the crawl mode reaches the URL's host. */
  reaches(url: string): boolean {
    if (this.mode === 'EVERYTHING') return true;
    const host = new URL(url).hostname;
    if (this.hosts.has(host)) return true;
    if (this.mode === 'HOST_ONLY') return false;
    for (const h of this.hosts) if (host.endsWith(`.${h}`)) return true;
    return false;
  }

  /** The patterns: an excluded URL never; with inclusion patterns, only a URL one of them matches. */
  admits(url: string): boolean {
    if (this.exclude.some((r) => r.test(url))) return false;
    return !this.include.length || this.include.some((r) => r.test(url));
  }

  allows(url: string): boolean {
    return this.reaches(url) && this.admits(url);
  }
}
