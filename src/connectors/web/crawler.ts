// The web crawler (WEBCRAWLER, or TEMPLATE WEBCRAWLERV2): from the seeds and the site maps' pages,
// breadth first to CrawlDepth, a few pages at a time. Each page is fetched once (a conditional GET
// when its validators are known), its final URL (after redirects) is its document id, and its links
// in scope are crawled next. A page that answers 404/410, or that nothing links to any more, is not
// yielded, so the sync's deletion detection removes it. A page that fails is a failure item; a seed
// or site map that cannot be read fails the sync.
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../../config/config.js';
import type { WebFrontierStore, WebPageStore } from '../../store/webPages.js';
import type { Connector, Found, RawDocument, SyncContext } from '../contract.js';
import { SourceError } from '../contract.js';
import { detectContentType } from '../extract/index.js';
import { readSecret } from '../secrets.js';
import { AddressGuard } from './addressGuard.js';
import { FetchError, PageFetcher, type Fetched } from './fetcher.js';
import { openFrontier, type Frontier, type Visit } from './frontier.js';
import { extractLinks } from './links.js';
import { PageStates } from './pageStates.js';
import { HostRateLimiter } from './rateLimiter.js';
import { RobotsRules } from './robots.js';
import { siteMapUrls } from './siteMaps.js';
import { normalizeUrl, Scope } from './urls.js';
import { hostPort, type WebSource } from './webSource.js';

export interface WebDeps {
  crawler: Config['crawler'];
  secrets: Config['secrets'];
  /** Pages fetched at once. */
  concurrency: number;
  /** The crawler's memory of pages and its queue, for this data source; absent: no conditional GETs, the queue in memory. */
  pages?: { store: WebPageStore; frontier: WebFrontierStore; dataSourceId: string };
}

/** What is remembered of a page between crawls. */
interface PageState {
  final: string;
  etag?: string;
  lastModified?: string;
  version: string;
  links: string[];
}

/** Results waiting for the pipeline; past this, fetching pauses. */
const QUEUE_HIGH = 64;

export class WebConnector implements Connector {
  /** Its queue and page states are written to the store as it crawls (frontier.ts, pageStates.ts). */
  readonly writesWhileListing: boolean;

  constructor(
    private readonly source: WebSource,
    private readonly deps: WebDeps,
  ) {
    this.writesWhileListing = deps.pages !== undefined;
  }

  async *enumerate(ctx: SyncContext): AsyncGenerator<Found> {
    const credentials = await this.credentials(ctx);
    const frontier = await openFrontier(this.deps.pages);
    const crawl = new Crawl(this.source, this.deps, ctx, credentials, frontier);
    try {
      yield* crawl.run();
    } finally {
      await crawl.close();
    }
  }

  /** Basic authentication headers by "host:port", read from their secrets once per crawl. */
  private async credentials(ctx: SyncContext): Promise<{ auth: Map<string, string>; proxyToken?: string }> {
    const auth = new Map<string, string>();
    const basic = async (arn: string) => {
      const value = await readSecret(arn, { secrets: this.deps.secrets, signal: ctx.signal });
      let parsed: { userName?: unknown; username?: unknown; password?: unknown } = {};
      try {
        parsed = JSON.parse(value) as typeof parsed;
      } catch {
        // JSON.parse's message quotes the secret: never pass it on.
      }
      const user = parsed.userName ?? parsed.username;
      if (typeof user !== 'string' || typeof parsed.password !== 'string')
        throw new SourceError(`The secret ${arn} must be JSON with the string members "userName" and "password".`, 'InvalidSecret');
      return `Basic ${Buffer.from(`${user}:${parsed.password}`).toString('base64')}`;
    };
    for (const b of this.source.basicAuth) auth.set(`${b.host.toLowerCase()}:${b.port}`, await basic(b.secretArn));
    const proxyToken = this.source.proxy?.secretArn ? await basic(this.source.proxy.secretArn) : undefined;
    return { auth, proxyToken };
  }
}

class Crawl {
  private readonly id = randomUUID();
  private readonly fetcher: PageFetcher;
  private readonly guard: AddressGuard;
  private readonly limiter: HostRateLimiter;
  private readonly robots: RobotsRules;
  private readonly scope: Scope;
  private readonly results: Found[] = [];
  private active = 0;
  private error: unknown;
  private readonly controller = new AbortController();
  private readonly signal: AbortSignal;
  /** What this crawl learns of pages, for the next one; absent without a store. */
  private readonly states?: PageStates;
  /** Wakes whoever waits for a change: the generator (results) and idle workers (frontier). */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly source: WebSource,
    private readonly deps: WebDeps,
    private readonly ctx: SyncContext,
    creds: { auth: Map<string, string>; proxyToken?: string },
    private readonly frontier: Frontier,
  ) {
    this.signal = AbortSignal.any([ctx.signal, this.controller.signal]);
    const guard = (this.guard = new AddressGuard(deps.crawler));
    const proxy = source.proxy && { url: `http://${source.proxy.host}:${source.proxy.port}`, token: creds.proxyToken };
    this.fetcher = new PageFetcher(guard, (u) => creds.auth.get(`${u.hostname}:${hostPort(u.href).port}`), proxy, Math.max(4, deps.concurrency));
    this.limiter = new HostRateLimiter(source.urlsPerMinute ?? deps.crawler.defaultUrlsPerMinute);
    this.robots = new RobotsRules(this.fetcher, () => this.fetchOptions());
    this.scope = new Scope(source.mode, [...source.seeds, ...source.siteMaps], source.inclusionPatterns, source.exclusionPatterns);
    if (deps.pages) this.states = new PageStates(deps.pages.store, deps.pages.dataSourceId, this.id);
  }

  private fetchOptions() {
    return { signal: this.signal, timeoutMs: this.deps.crawler.pageTimeoutMs, beforeRequest: (u: URL, s: AbortSignal) => this.limiter.take(u.host, s) };
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.fetcher.close().catch(() => undefined);
    // A stopped crawl keeps what it learned too (the pages' validators); a store that fails here already failed the crawl.
    await this.states?.write().catch(() => undefined);
    await this.frontier.close();
  }

  async *run(): AsyncGenerator<Found> {
    if (this.source.proxy) await this.checkProxy(this.source.proxy.host);
    const seeds = this.source.seeds.flatMap((seed) => normalizeUrl(seed) ?? []);
    await this.enqueue(seeds.map((url) => ({ url, depth: 1, start: true })));
    for (const map of this.source.siteMaps) for await (const url of siteMapUrls(map, this.fetcher, () => this.fetchOptions())) await this.enqueue([{ url, depth: 1, start: true }]);
    const workers = Array.from({ length: Math.max(1, this.deps.concurrency) }, () => this.worker());
    const all = Promise.all(workers);
    all.catch(() => undefined);
    for (;;) {
      if (this.error) throw this.error;
      if (this.results.length) {
        yield this.results.shift()!;
        this.wake();
        continue;
      }
      if (this.finished() || this.ctx.signal.aborted) break;
      await this.changed();
    }
    await all;
    if (this.error) throw this.error;
    if (this.deps.pages && !this.ctx.signal.aborted) {
      await this.states!.write();
      await this.deps.pages.store.prune(this.deps.pages.dataSourceId, this.id);
    }
  }

  /** The proxy is a host like any other: a loopback or private one only if the operator allows it. */
  private async checkProxy(host: string): Promise<void> {
    try {
      await this.guard.resolve(host);
    } catch (e) {
      const err = e as Error & { code?: string };
      throw new SourceError(`kendrite cannot use the proxy ${host}: ${err.message}.`, err.code ?? 'ProxyUnreachable');
    }
  }

  private finished(): boolean {
    return this.active === 0 && this.frontier.pending === 0;
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async enqueue(visits: Visit[]): Promise<void> {
    const allowed = visits.filter((v) => this.scope.allows(v.url));
    if (!allowed.length) return;
    await this.frontier.add(allowed);
    this.wake();
  }

  private async worker(): Promise<void> {
    while (!this.signal.aborted && !this.error) {
      if (this.results.length >= QUEUE_HIGH || this.frontier.pending === 0) {
        if (this.finished()) return;
        await this.changed();
        continue;
      }
      // Active before the store is asked, so that no worker takes the crawl for finished meanwhile.
      this.active++;
      try {
        const v = await this.frontier.next();
        if (!v) continue;
        const found = await this.visit(v);
        if (found) this.results.push(found);
      } catch (e) {
        if (!this.signal.aborted) {
          this.error ??= e;
          this.controller.abort();
        }
      } finally {
        this.active--;
        this.wake();
      }
    }
  }

  /** One page: what to yield for it (nothing for a page not to index), its links queued. */
  private async visit(v: Visit): Promise<Found | undefined> {
    if (this.source.honorRobots && !(await this.robots.allows(v.url))) return undefined;
    const known = parseState(v.known);
    let f: Fetched;
    try {
      f = await this.fetcher.fetch(v.url, { ...this.fetchOptions(), maxBytes: Math.min(this.source.maxPageBytes, this.ctx.maxDocumentBytes), validators: known && { url: known.final, etag: known.etag, lastModified: known.lastModified } });
    } catch (e) {
      if (!(e instanceof FetchError) || this.signal.aborted) throw e;
      if (v.start && e.code !== 'TooLarge') throw new SourceError(`kendrite cannot fetch the start page ${v.url}: ${e.message}.`, e.code);
      await this.keepLinks(v, known);
      return { kind: 'failure', id: v.url, reason: `${v.url}: ${e.message}`, sourceCode: e.status ? String(e.status) : e.code };
    }
    // Redirected to a page crawled on its own (or about to be), or out of scope: nothing more here.
    if (f.url !== v.url) {
      if (!this.scope.allows(f.url) || !(await this.frontier.claim(f.url))) return undefined;
      if (this.source.honorRobots && !(await this.robots.allows(f.url))) return undefined;
    }
    if (f.status === 304 && known) {
      await this.states!.see(v.url);
      await this.follow(known.links, v);
      return this.document(f.url, known.version, undefined);
    }
    if (f.status === 404 || f.status === 410) {
      if (v.start) throw new SourceError(`The start page ${v.url} answers HTTP ${f.status}.`, `HTTP${f.status}`);
      return undefined;
    }
    if (!f.body) {
      if (v.start) throw new SourceError(`The start page ${v.url} answers HTTP ${f.status}.`, `HTTP${f.status}`);
      await this.keepLinks(v, known);
      return { kind: 'failure', id: f.url, reason: `${f.url}: HTTP ${f.status}`, sourceCode: String(f.status) };
    }
    const type = detectContentType({ contentType: f.contentType, fileName: new URL(f.url).pathname, content: f.body });
    if (!type) return { kind: 'failure', id: f.url, reason: `${f.url}: not a type kendrite indexes (${f.contentType ?? 'no Content-Type'})`, sourceCode: 'UnsupportedType' };
    let links: string[] = [];
    if (type === 'HTML') {
      const page = extractLinks(f.body.toString('utf8'), f.url, this.source.maxLinksPerPage);
      if (page.canonical && page.canonical !== f.url && this.scope.allows(page.canonical)) {
        // Another URL is this page's own: that one is crawled (and indexed) instead.
        await this.enqueue([{ url: page.canonical, depth: v.depth, start: false }]);
        return undefined;
      }
      links = page.links;
      await this.follow(links, v);
      if (page.noindex) return undefined;
    }
    const version = f.etag ? `etag:${f.etag}` : f.lastModified ? `lm:${f.lastModified}` : `sha256:${createHash('sha256').update(f.body).digest('base64url')}`;
    if (this.states) {
      const state: PageState = { final: f.url, etag: f.etag, lastModified: f.lastModified, version, links };
      await this.states.learn(v.url, JSON.stringify(state));
    }
    return this.document(f.url, version, f);
  }

  /**
   * A page that failed for now (a time-out, a 5xx) still leads where it led at the last crawl: the pages
   * below it are crawled, not taken for gone and deleted because of one bad answer.
   */
  private async keepLinks(v: Visit, known: PageState | undefined): Promise<void> {
    if (!known) return;
    await this.states!.see(v.url);
    await this.follow(known.links, v);
  }

  private async follow(links: string[], from: Visit): Promise<void> {
    const depth = from.depth + 1;
    if (depth > this.source.depth) return;
    await this.enqueue(links.map((url) => ({ url, depth, start: false })));
  }

  /** The page as a document; `f` undefined (a 304): fetched again only if the pipeline wants it (the index lacks this version). */
  private document(url: string, version: string, f: Fetched | undefined): Found {
    return {
      kind: 'document',
      id: url,
      version,
      fetch: async (signal): Promise<RawDocument> => {
        let page = f;
        f = undefined; // the body is handed over once, and not held after
        if (!page?.body) {
          page = await this.fetcher.fetch(url, { ...this.fetchOptions(), signal, maxBytes: Math.min(this.source.maxPageBytes, this.ctx.maxDocumentBytes) });
          if (!page.body) throw new Error(`HTTP ${page.status}`);
        }
        return { content: page.body!, contentType: page.contentType, fileName: new URL(url).pathname, defaultTitle: url, attributes: [{ Key: '_source_uri', Value: { StringValue: url } }] };
      },
    };
  }
}

function parseState(s: string | undefined): PageState | undefined {
  if (!s) return undefined;
  try {
    return JSON.parse(s) as PageState;
  } catch {
    return undefined;
  }
}
