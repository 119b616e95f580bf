// The web crawler against sites served by this test on loopback: host names map to 127.0.0.1 through
// kendrite's crawler.hosts setting (intranet.test to 10.0.0.1, which the SSRF guard refuses before any
// packet leaves), robots.txt, redirects, a canonical link, site maps, failures, basic auth through a
// secret in moto's Secrets Manager, the crawl rate as the server sees it, and a second crawl after the
// site changed. Both store backends.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CreateDataSourceCommand, QueryCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../src/config/config.js';
import { AddressGuard } from '../src/connectors/web/addressGuard.js';
import { openFrontier, type Visit } from '../src/connectors/web/frontier.js';
import { normalizeUrl, Scope } from '../src/connectors/web/urls.js';
import { Store } from '../src/store/store.js';
import { makePdf } from './support/corpus.js';
import { activeIndex, jobReaching, rejectsWith, ROLE } from './support/kendra.js';
import { Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { actions, activeDataSource, IndexTables, metrics, report, syncToEnd, TERMINAL } from './support/sync.js';
import { html, links, WebSite } from './support/webSite.js';

const HOSTS = ['wide.test', 'site.test', 'blog.site.test', 'other.test', 'secure.test', 'rate.test', 'maps.test', 'proxy.test'];

let moto: Moto;
let secrets: SecretsManagerClient;
let site: WebSite;
/** The site's version: 2 after it "changed". */
let version = 1;
let closedPort: number;
let proxy: Server;
/** What the proxy was asked: "CONNECT host:port" and the Proxy-Authorization it got. */
const tunnels: { target: string; auth?: string }[] = [];

before(async () => {
  moto = await Moto.start();
  secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  site = await WebSite.start();
  closedPort = await freePort();
  build(site);
  // An HTTP proxy (CONNECT tunnels), every host being the site on loopback.
  proxy = createHttpServer();
  proxy.on('connect', (req, socket, head) => {
    tunnels.push({ target: req.url!, auth: req.headers['proxy-authorization'] });
    const upstream = connect(Number(req.url!.split(':').pop()), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  secrets?.destroy();
  await moto?.stop();
  await site?.stop();
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const BIG = 'x'.repeat(2 * 1024 * 1024);
const PDF = Buffer.from(makePdf('The quokka report in a PDF'));

function build(s: WebSite): void {
  const r = s.routes;
  const at = (host: string, path: string) => s.url(host, path);
  r.set('site.test /robots.txt', (_q, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private/\n'));
  r.set('site.test /', (q, res, w) => {
    const common = ['/a', '/a#top', '/b', '/private/secret', '/dup', at('blog.site.test', '/'), at('other.test', '/'), '/slow', '/error', '/big', '/doc.pdf', '/missing'];
    const body = version === 1 ? links(...common, '/redirect-me') : links(...common, '/new');
    return html('Home', `<p>Welcome home v${version}</p>${body}`)(q, res, w);
  });
  // After the change, /a fails for a while: the page below it (at depth 3) is still crawled, through the links /a had.
  r.set('site.test /a', (q, res, w) => (version === 1 ? html('Page A', `<p>alpha first</p>${links('/a/deep')}`)(q, res, w) : void res.writeHead(503).end()));
  r.set('site.test /a/deep', html('Deep', '<p>deep page</p>'));
  r.set('site.test /b', (q, res) => {
    if (q.headers['if-none-match'] === '"b1"') return void res.writeHead(304, { etag: '"b1"' }).end();
    res.writeHead(200, { 'content-type': 'text/html', etag: '"b1"' }).end('<html><head><title>Page B</title></head><body>bravo</body></html>');
  });
  r.set('site.test /redirect-me', (_q, res) => void res.writeHead(301, { location: '/final' }).end());
  r.set('site.test /final', html('Final page', '<p>landing zebra</p>'));
  r.set('site.test /dup', html('Duplicate of A', '<p>alpha copy</p>', '<link rel="canonical" href="/a">'));
  r.set('site.test /slow', async (_q, res) => {
    await new Promise((done) => setTimeout(done, 4000));
    if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/html' }).end('<p>late</p>');
  });
  r.set('site.test /error', (_q, res) => void res.writeHead(500).end('boom'));
  r.set('site.test /big', (_q, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(BIG));
  r.set('site.test /doc.pdf', (_q, res) => {
    if (version === 2) return void res.writeHead(410).end();
    res.writeHead(200, { 'content-type': 'application/pdf', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }).end(PDF);
  });
  r.set('site.test /new', (q, res, w) => (version === 2 ? html('New page', '<p>brand new</p>')(q, res, w) : void res.writeHead(404).end()));
  r.set('site.test /private/secret', html('Secret', '<p>never crawled</p>'));
  r.set('site.test /ssrf-home', html('SSRF home', links('/to-loopback', at('intranet.test', '/'))));
  r.set('site.test /to-loopback', (_q, res) => void res.writeHead(302, { location: `http://127.0.0.1:${s.port}/landing` }).end());
  r.set('127.0.0.1 /landing', html('Landing', '<p>must not be fetched</p>'));
  r.set('blog.site.test /', html('Blog', links('/post')));
  r.set('blog.site.test /post', html('Post', '<p>a post</p>'));
  r.set('other.test /', html('Other', '<p>another site</p>'));
  const authorized = (q: { headers: Record<string, unknown> }) => q.headers.authorization === `Basic ${Buffer.from('crawler:s3cret-pass').toString('base64')}`;
  r.set('secure.test /', (q, res, w) => (authorized(q) ? html('Secure home', links('/inner'))(q, res, w) : void res.writeHead(401, { 'www-authenticate': 'Basic' }).end()));
  r.set('secure.test /inner', (q, res, w) => (authorized(q) ? html('Secure inner', '<p>inside</p>')(q, res, w) : void res.writeHead(401).end()));
  r.set('rate.test /', html('Rate', links('/1', '/2', '/3')));
  for (const n of [1, 2, 3]) r.set(`rate.test /${n}`, html(`Rate ${n}`, `<p>page ${n}</p>`));
  const urlset = (...paths: string[]) => `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths.map((p) => `<url><loc>${at('maps.test', p)}</loc></url>`).join('')}</urlset>`;
  r.set('maps.test /sitemap_index.xml', (_q, res) =>
    void res.writeHead(200, { 'content-type': 'application/xml' }).end(
      `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${at('maps.test', '/sitemap1.xml')}</loc></sitemap><sitemap><loc>${at('maps.test', '/sitemap2.xml.gz')}</loc></sitemap></sitemapindex>`,
    ));
  r.set('maps.test /sitemap1.xml', (_q, res) => void res.writeHead(200, { 'content-type': 'application/xml' }).end(urlset('/p1', '/p2', '/p1#again')));
  r.set('maps.test /sitemap2.xml.gz', (_q, res) => void res.writeHead(200, { 'content-type': 'application/gzip' }).end(gzipSync(urlset('/p3'))));
  for (const p of ['/p1', '/p2', '/p3']) r.set(`maps.test ${p}`, html(`Map page ${p}`, links('/p4')));
  r.set('maps.test /p4', html('Not in the map', '<p>only linked</p>'));
  // Wider than the crawler keeps in memory (frontier.ts: 512 URLs): the rest of the queue waits in the store.
  r.set('wide.test /', html('Wide', links(...Array.from({ length: WIDE }, (_, i) => `/w/${i}`))));
  for (let i = 0; i < WIDE; i++) r.set(`wide.test /w/${i}`, html(`W ${i}`, i < WIDE_DEEP ? links(`/x/${i}`, '/', '/w/0') : links('/')));
  for (let i = 0; i < WIDE_DEEP; i++) r.set(`wide.test /x/${i}`, html(`X ${i}`, links('/w/1')));
}

const WIDE = 700;
const WIDE_DEEP = 100;

const NO_ALLOW = { allowHosts: [], allowCidrs: [], hosts: {}, defaultUrlsPerMinute: 0, pageTimeoutMs: 1000 };

test('the address guard refuses loopback, private, link-local, CGNAT, metadata and unspecified addresses, in every spelling', () => {
  const guard = new AddressGuard(NO_ALLOW);
  const refused = ['127.0.0.1', '127.8.9.10', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::', '::1', 'fd00:ec2::254', 'fc12::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', '224.0.0.1'];
  assert.deepEqual(refused.filter((a) => guard.refusal('h.test', a) === undefined), []);
  assert.deepEqual(['93.184.216.34', '8.8.8.8', '2606:4700::1', '172.32.0.1', '100.128.0.1'].filter((a) => guard.refusal('h.test', a) !== undefined), []);
  const allowing = new AddressGuard({ ...NO_ALLOW, allowHosts: ['Wiki.Corp'], allowCidrs: ['10.20.0.0/16', 'fd00::/8'] });
  assert.equal(allowing.refusal('wiki.corp', '10.9.9.9'), undefined);
  assert.equal(allowing.refusal('x.corp', '10.20.3.4'), undefined);
  assert.equal(allowing.refusal('x.corp', 'fd00:ec2::254'), undefined);
  assert.match(allowing.refusal('x.corp', '10.21.0.1')!, /x\.corp resolves to 10\.21\.0\.1/);
});

test('the guard resolves once, checks every address, and uses crawler.hosts first', async () => {
  const calls: string[] = [];
  const resolver = async (host: string) => (calls.push(host), [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }]);
  const guard = new AddressGuard({ ...NO_ALLOW, hosts: { 'mapped.test': '203.0.113.9' } }, resolver);
  await assert.rejects(guard.resolve('mixed.test'), { code: 'ForbiddenAddress', message: /mixed\.test resolves to 10\.0\.0\.7/ });
  assert.deepEqual(await guard.resolve('mapped.test'), { address: '203.0.113.9', family: 4 });
  await assert.rejects(guard.resolve('[::1]'), { code: 'ForbiddenAddress' });
  assert.deepEqual(calls, ['mixed.test']);
});

test('URLs: one spelling per page; the crawl modes and patterns', () => {
  assert.equal(normalizeUrl('HTTP://Example.COM:80/a/../b?x=1#frag'), 'http://example.com/b?x=1');
  assert.equal(normalizeUrl('https://user:pw@example.com:443'), 'https://example.com/');
  assert.equal(normalizeUrl('/c d', 'https://example.com/a/b'), 'https://example.com/c%20d');
  assert.deepEqual(['mailto:a@b.c', 'javascript:void(0)', 'ftp://x/', `https://e.com/${'a'.repeat(2048)}`].map((u) => normalizeUrl(u)), [undefined, undefined, undefined, undefined]);
  const urls = ['https://docs.example.com/x', 'https://a.docs.example.com/x', 'https://example.com/x', 'https://other.org/x', 'https://docs.example.com/drafts/y'];
  const allowed = (mode: 'HOST_ONLY' | 'SUBDOMAINS' | 'EVERYTHING', inc: string[] = [], exc: string[] = []) => urls.filter((u) => new Scope(mode, ['https://docs.example.com/'], inc, exc).allows(u));
  assert.deepEqual(allowed('HOST_ONLY'), [urls[0], urls[4]]);
  assert.deepEqual(allowed('SUBDOMAINS'), [urls[0], urls[1], urls[4]]);
  assert.deepEqual(allowed('EVERYTHING', [], ['/drafts/']), urls.slice(0, 4));
  assert.deepEqual(allowed('EVERYTHING', ['^https://[^/]*example\\.com/'], ['/drafts/']), urls.slice(0, 3));
});

test('crawler settings are checked when kendrite starts', () => {
  assert.throws(() => loadConfig({ env: { KENDRITE_CRAWLER_ALLOW_CIDRS: '10.0.0.0/33' } }), /crawler\.allowCidrs/);
  assert.deepEqual(loadConfig({ env: { KENDRITE_CRAWLER_ALLOW_CIDRS: '10.0.0.0/8, fd00::/8' } }).crawler.allowCidrs, ['10.0.0.0/8', 'fd00::/8']);
});

function webConfig(seeds: string[], { mode, ...over }: Record<string, unknown> = {}) {
  return { WebCrawlerConfiguration: { Urls: { SeedUrlConfiguration: { SeedUrls: seeds, WebCrawlerMode: mode ?? 'HOST_ONLY' } }, CrawlDepth: 2, MaxContentSizePerPageInMegaBytes: 1, ...over } } as never;
}

for (const backend of backends()) {
  describeOrSkip(`WEBCRAWLER connector [store: ${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let tables: IndexTables;
    const u = (host: string, path = '/') => site.url(host, path);

    before(async () => {
      version = 1;
      site.seen.length = 0;
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, {
        config: {
          secrets: { endpoint: moto.endpoint, region: 'us-east-1', accessKeyId: 'test', secretAccessKey: 'test' },
          // The test's hosts are allowed by name; any other loopback or private address stays refused.
          crawler: { allowHosts: HOSTS, hosts: { ...Object.fromEntries(HOSTS.map((h) => [h, '127.0.0.1'])), 'intranet.test': '10.0.0.1' }, defaultUrlsPerMinute: 0, pageTimeoutMs: 1500 },
        },
      });
      k = server.client();
      tables = await IndexTables.open(store);
    });
    after(async () => {
      await tables?.close();
      await server?.stop();
      await store?.destroy();
    });

    /** A new index with one web data source, synced once. */
    async function crawl(name: string, configuration: unknown, type: 'WEBCRAWLER' | 'TEMPLATE' = 'WEBCRAWLER') {
      const indexId = await activeIndex(k, name);
      const ds = await activeDataSource(k, { IndexId: indexId, Name: name, Type: type, Configuration: configuration as never });
      const job = await syncToEnd(k, indexId, ds);
      return { indexId, ds, job };
    }

    const FAILED_V1 = ['FAILED /big', 'FAILED /error', 'FAILED /slow'];
    let hostOnly: { indexId: string; ds: string };
    let depth3: { indexId: string; ds: string };

    test('HOST_ONLY, depth 2: pages of the seed host; robots.txt, redirect, canonical, 404 and failures as they should be', async () => {
      const { indexId, ds, job } = await crawl('host-only', webConfig([u('site.test')]));
      hostOnly = { indexId, ds };
      assert.equal(job.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job), { scanned: '8', added: '5', modified: '0', deleted: '0', failed: '3' });
      const r = await report(server, job.ExecutionId!);
      assert.deepEqual(actions(r.items, u('site.test', '')), ['ADDED /', 'ADDED /a', 'ADDED /b', 'ADDED /doc.pdf', 'ADDED /final', ...FAILED_V1]);
      const reason = (id: string) => r.items.find((i) => i.DocumentId === u('site.test', id))!.Reason!;
      assert.match(reason('/error'), /HTTP 500/);
      assert.match(reason('/slow'), /timed out after 1500 ms/);
      assert.match(reason('/big'), /over the limit of 1048576 bytes/);
      assert.equal(site.requests('site.test', '/private/secret').length, 0, 'robots.txt disallows /private/');
      assert.equal(site.requests('site.test', '/a').length, 1, '/a, /a#top and the canonical of /dup are one page');
      const docs = await tables.documents(ds);
      assert.deepEqual(docs.filter((d) => d.status !== 'FAILED').map((d) => [d.document_id.slice(u('site.test', '').length), d.title]), [
        ['/', 'Home'], ['/a', 'Page A'], ['/b', 'Page B'], ['/doc.pdf', u('site.test', '/doc.pdf')], ['/final', 'Final page'],
      ]);
      assert.deepEqual(await tables.search(indexId, 'quokka'), [u('site.test', '/doc.pdf')]);
      const q = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'zebra' }));
      assert.deepEqual(q.ResultItems!.map((i) => [i.DocumentId, i.DocumentURI, i.DocumentTitle?.Text]), [[u('site.test', '/final'), u('site.test', '/final'), 'Final page']]);
    });

    test('a site wider than the crawl queue kept in memory: every page fetched once, breadth first, and the queue emptied', async () => {
      const { ds, job } = await crawl('wide', { WebCrawlerConfiguration: { Urls: { SeedUrlConfiguration: { SeedUrls: [u('wide.test')] } }, CrawlDepth: 3, MaxLinksPerPage: 1000 } });
      const pages = 1 + WIDE + WIDE_DEEP;
      assert.deepEqual(metrics(job), { scanned: String(pages), added: String(pages), modified: '0', deleted: '0', failed: '0' });
      const paths = site.requests('wide.test').map((s) => s.path).filter((p) => p !== '/robots.txt');
      assert.equal(paths.length, pages);
      assert.equal(new Set(paths).size, pages);
      // Breadth first: no page of depth 3 is fetched before the pages of depth 2 are all under way (8 at a time).
      assert.ok(paths.findIndex((p) => p.startsWith('/x/')) >= 1 + WIDE - 8, `first /x/ page at ${paths.findIndex((p) => p.startsWith('/x/'))}`);
      assert.equal(await tables.webFrontier(ds), 0);
    });

    test('crawl modes and depth: exact metrics', async () => {
      const cases: [string, Record<string, unknown>, number, number][] = [
        ['subdomains', { mode: 'SUBDOMAINS' }, 6, 3],
        ['everything', { mode: 'EVERYTHING' }, 7, 3],
        ['depth-3', { CrawlDepth: 3 }, 6, 3],
        ['depth-1', { CrawlDepth: 1 }, 1, 0],
      ];
      for (const [name, over, added, failed] of cases) {
        const { job, indexId, ds } = await crawl(name, webConfig([u('site.test')], over));
        if (name === 'depth-3') depth3 = { indexId, ds };
        assert.deepEqual(metrics(job), { scanned: String(added + failed), added: String(added), modified: '0', deleted: '0', failed: String(failed) }, name);
      }
      assert.equal(site.requests('blog.site.test', '/post').length, 0, 'depth 3 is not reached from the seed at depth 2');
    });

    test('a second crawl after the site changed: exact Added/Modified/Deleted, 304 for the page with an ETag, a failing page keeps what is below it', async () => {
      version = 2;
      try {
        const count304 = () => site.requests('site.test', '/b').filter((s) => s.status === 304).length;
        const before304 = count304();
        const job = await syncToEnd(k, hostOnly.indexId, hostOnly.ds);
        assert.deepEqual(metrics(job), { scanned: '7', added: '1', modified: '1', deleted: '2', failed: '4' });
        const r = await report(server, job.ExecutionId!);
        assert.deepEqual(actions(r.items, u('site.test', '')), ['ADDED /new', 'DELETED /doc.pdf', 'DELETED /final', 'FAILED /a', ...FAILED_V1, 'MODIFIED /'].sort());
        assert.match(r.items.find((i) => i.DocumentId === u('site.test', '/a'))!.Reason!, /HTTP 503/);
        const conditional = site.requests('site.test', '/b').slice(-1)[0]!;
        assert.equal(conditional.headers['if-none-match'], '"b1"');
        assert.equal(count304() - before304, 1);

        const deepBefore = site.requests('site.test', '/a/deep').length;
        const deep = await syncToEnd(k, depth3.indexId, depth3.ds);
        assert.deepEqual(metrics(deep), { scanned: '8', added: '1', modified: '1', deleted: '2', failed: '4' });
        assert.equal(site.requests('site.test', '/a/deep').length - deepBefore, 1, '/a/deep is crawled through the links /a had');
        assert.equal(count304() - before304, 2);
      } finally {
        version = 1;
      }
    });

    test('site map index (one of its site maps gzipped): the listed pages, de-duplicated', async () => {
      const { job } = await crawl('maps', { WebCrawlerConfiguration: { Urls: { SiteMapsConfiguration: { SiteMaps: [u('maps.test', '/sitemap_index.xml')] } }, CrawlDepth: 1 } });
      assert.deepEqual(metrics(job), { scanned: '3', added: '3', modified: '0', deleted: '0', failed: '0' });
      assert.equal(site.requests('maps.test', '/p4').length, 0);
    });

    test('basic authentication with the credentials in a Secrets Manager secret; without them the seed fails the sync', async () => {
      const { ARN } = await secrets.send(new CreateSecretCommand({ Name: `web-${backend.name}-${Date.now()}`, SecretString: JSON.stringify({ userName: 'crawler', password: 's3cret-pass' }) }));
      const auth = { AuthenticationConfiguration: { BasicAuthentication: [{ Host: 'secure.test', Port: site.port, Credentials: ARN }] } };
      const { job } = await crawl('secure', webConfig([u('secure.test')], auth));
      assert.deepEqual(metrics(job), { scanned: '2', added: '2', modified: '0', deleted: '0', failed: '0' });
      const without = await crawl('insecure', webConfig([u('secure.test')]));
      assert.equal(without.job.Status, 'FAILED');
      assert.equal(without.job.ErrorCode, 'InvalidRequest');
      assert.equal(without.job.DataSourceErrorCode, 'HTTP401');
      assert.ok(!JSON.stringify(await report(server, job.ExecutionId!)).includes('s3cret-pass'));
    });

    test('ProxyConfiguration: every request through the proxy, with its credentials from a secret; a proxy on a refused address fails the sync', async () => {
      const { ARN } = await secrets.send(new CreateSecretCommand({ Name: `proxy-${backend.name}-${Date.now()}`, SecretString: JSON.stringify({ userName: 'proxy-user', password: 'proxy-pass' }) }));
      const proxyPort = (proxy.address() as { port: number }).port;
      const before = tunnels.length;
      const { job } = await crawl('proxied', webConfig([u('other.test')], { ProxyConfiguration: { Host: 'proxy.test', Port: proxyPort, Credentials: ARN } }));
      assert.deepEqual(metrics(job), { scanned: '1', added: '1', modified: '0', deleted: '0', failed: '0' });
      const used = tunnels.slice(before);
      assert.deepEqual([...new Set(used.map((t) => t.target))], [`other.test:${site.port}`]);
      assert.ok(used.every((t) => t.auth === `Basic ${Buffer.from('proxy-user:proxy-pass').toString('base64')}`));
      const refused = await crawl('proxy-refused', webConfig([u('other.test')], { ProxyConfiguration: { Host: '127.0.0.1', Port: proxyPort } }));
      assert.equal(refused.job.Status, 'FAILED');
      assert.equal(refused.job.DataSourceErrorCode, 'ForbiddenAddress');
      assert.equal(tunnels.length, before + used.length);
    });

    test('MaxUrlsPerMinuteCrawlRate, as the server sees it: no more requests to the host in a window than the rate allows', async () => {
      const start = site.seen.length;
      const { job } = await crawl('rate', webConfig([u('rate.test')], { MaxUrlsPerMinuteCrawlRate: 60 }));
      assert.deepEqual(metrics(job), { scanned: '4', added: '4', modified: '0', deleted: '0', failed: '0' });
      const times = site.seen.slice(start).filter((s) => s.host === 'rate.test').map((s) => s.at);
      assert.equal(times.length, 5, 'robots.txt and the 4 pages');
      // 60 a minute: one a second. In any 1.5 s window, at most 2 (all five would fit in one without the limit).
      for (const t of times) assert.ok(times.filter((x) => x >= t && x < t + 1500).length <= 2, `requests at ${times.map((x) => Math.round(x - times[0]!)).join(', ')} ms`);
    });

    test('a stop ends a crawl waiting for its turn in the crawl rate: ABORTED at once, nothing more fetched', async () => {
      const indexId = await activeIndex(k, 'stopped');
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'stopped', Type: 'WEBCRAWLER', Configuration: webConfig([u('rate.test')], { MaxUrlsPerMinuteCrawlRate: 1 }) });
      const start = site.seen.length;
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      // robots.txt, then the seed a minute later: stopped while the crawler waits for the seed's turn.
      await waitFor('robots.txt fetched', async () => (site.seen.slice(start).some((s) => s.host === 'rate.test') ? true : undefined));
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const job = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL, 10_000);
      assert.equal(job.Status, 'ABORTED');
      assert.deepEqual(metrics(job), { scanned: '0', added: '0', modified: '0', deleted: '0', failed: '0' });
      assert.deepEqual(site.seen.slice(start).filter((s) => s.host === 'rate.test').map((s) => s.path), ['/robots.txt']);
    });

    test('the SSRF guard: a redirect to 127.0.0.1 and a host resolving to 10.0.0.1 are refused, no request sent', async () => {
      const { job } = await crawl('ssrf', webConfig([u('site.test', '/ssrf-home')], { mode: 'EVERYTHING' }));
      assert.deepEqual(metrics(job), { scanned: '3', added: '1', modified: '0', deleted: '0', failed: '2' });
      const r = await report(server, job.ExecutionId!);
      const reason = (id: string) => r.items.find((i) => i.DocumentId === id)?.Reason ?? '';
      assert.match(reason(u('site.test', '/to-loopback')), /127\.0\.0\.1, a loopback, private, link-local or metadata address/);
      assert.match(reason(u('intranet.test')), /intranet\.test resolves to 10\.0\.0\.1/);
      assert.equal(site.requests('127.0.0.1').length, 0);
      const seed = await crawl('ssrf-seed', webConfig([u('intranet.test')]));
      assert.equal(seed.job.Status, 'FAILED');
      assert.equal(seed.job.ErrorCode, 'InvalidRequest');
      assert.equal(seed.job.DataSourceErrorCode, 'ForbiddenAddress');
    });

    test('an unreachable seed or site map fails the sync with the reason', async () => {
      const seed = await crawl('down', webConfig([`http://site.test:${closedPort}/`]));
      assert.equal(seed.job.Status, 'FAILED');
      assert.equal(seed.job.ErrorCode, 'InvalidRequest');
      assert.equal(seed.job.DataSourceErrorCode, 'ECONNREFUSED');
      assert.match(seed.job.ErrorMessage!, /cannot fetch the start page/);
      const map = await crawl('no-map', { WebCrawlerConfiguration: { Urls: { SiteMapsConfiguration: { SiteMaps: [u('maps.test', '/nope.xml')] } } } });
      assert.equal(map.job.Status, 'FAILED');
      assert.equal(map.job.DataSourceErrorCode, 'HTTP404');
      assert.match(map.job.ErrorMessage!, /cannot read the site map/);
    });

    test('the WEBCRAWLERV2 template', async () => {
      const template = {
        type: 'WEBCRAWLERV2', syncMode: 'FULL_CRAWL', version: '1.0.0',
        connectionConfiguration: { repositoryEndpointMetadata: { seedUrlConnections: [{ seedUrl: u('site.test') }], authentication: 'NoAuthentication' } },
        additionalProperties: { crawlDepth: '2', crawlSubDomain: true, maxFileSize: '1', exclusionURLCrawlPatterns: ['.*/(slow|big|error)$'] },
      };
      const { job } = await crawl('v2', { TemplateConfiguration: { Template: template } }, 'TEMPLATE');
      assert.deepEqual(metrics(job), { scanned: '6', added: '6', modified: '0', deleted: '0', failed: '0' });
    });

    test('a configuration that cannot work is a ValidationException', async () => {
      const indexId = await activeIndex(k, 'bad-config');
      await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'bad-regex', Type: 'WEBCRAWLER', RoleArn: ROLE, Configuration: webConfig([u('site.test')], { UrlInclusionPatterns: ['('] }) })), 'ValidationException');
      await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'ftp', Type: 'WEBCRAWLER', RoleArn: ROLE, Configuration: webConfig(['ftp://site.test/']) })), 'ValidationException');
    });
  });
}

for (const backend of backends()) {
  test(`the stored crawl queue: breadth first across windows, each URL once, read with what the last crawl learned [store: ${backend.name}]`, { skip: backend.skip }, async () => {
    const testStore = await TestStore.create(backend.name);
    const store = await Store.open({ dataDir: testStore.dataDir, databaseUrl: testStore.databaseUrl });
    try {
      const url = (i: number) => `http://a.test/${i}`;
      const visits = (from: number, to: number, depth: number): Visit[] => Array.from({ length: to - from }, (_, k) => ({ url: url(from + k), depth, start: depth === 1 }));
      await store.webPages.put('ds', [{ url: url(7), state: 'learned 7' }, { url: url(900), state: 'learned 900' }], 'the last crawl');
      const frontier = await openFrontier({ frontier: store.webFrontier, dataSourceId: 'ds' });
      await frontier.add(visits(0, 3, 1));
      // Queued and not yet written: the redirect's claim is refused all the same. A new URL is claimed once.
      assert.equal(await frontier.claim(url(1)), false);
      assert.equal(await frontier.claim(url(5000)), true);
      assert.equal(await frontier.claim(url(5000)), false);
      // 1,200 more in calls of 7 (over two writes and three windows), each call repeating an older URL and the claimed one.
      for (let i = 3; i < 1203; i += 7) await frontier.add([...visits(i, Math.min(i + 7, 1203), 2), ...visits(i - 3, i - 2, 3), ...visits(5000, 5001, 3)]);
      const taken: Visit[] = [];
      for (let v = await frontier.next(); v; v = await frontier.next()) {
        taken.push(v);
        // Links found while the queue is read go after everything queued before them.
        if (taken.length === 10) await frontier.add([...visits(1203, 1206, 3), ...visits(0, 1, 3)]);
      }
      assert.deepEqual(taken.map((v) => v.url), Array.from({ length: 1206 }, (_, i) => url(i)));
      assert.deepEqual(taken.map((v) => v.depth), Array.from({ length: 1206 }, (_, i) => (i < 3 ? 1 : i < 1203 ? 2 : 3)));
      assert.deepEqual(taken.filter((v) => v.start).length, 3);
      assert.deepEqual(taken.flatMap((v) => (v.known ? [[v.url, v.known]] : [])), [[url(7), 'learned 7'], [url(900), 'learned 900']]);
      assert.equal(frontier.pending, 0);
      await frontier.close();
      assert.deepEqual(await store.webFrontier.after('ds', -1, 10), []);
    } finally {
      await store.close();
      await testStore.destroy();
    }
  });
}
