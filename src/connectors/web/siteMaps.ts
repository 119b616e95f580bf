// Site maps (sitemaps.org): a URL set lists pages, an index lists more site maps; either may be
// gzipped. A site map that cannot be read fails the sync, as a seed that cannot be reached does.
import { gunzipSync } from 'node:zlib';
import { SourceError } from '../contract.js';
import { FetchError, type FetchOptions, type PageFetcher } from './fetcher.js';
import { normalizeUrl } from './urls.js';

/** sitemaps.org's limits: 50 MB uncompressed; indexes nest; a nest deeper than this is a loop. */
const MAX_SITEMAP_BYTES = 50 * 1024 * 1024;
const MAX_NESTING = 4;

/** The page URLs of the site map at `url` (and of the site maps an index names), in order, de-duplicated by the caller. */
export async function* siteMapUrls(url: string, fetcher: PageFetcher, options: () => Omit<FetchOptions, 'maxBytes' | 'validators'>, depth = 0): AsyncGenerator<string> {
  if (depth > MAX_NESTING) throw new SourceError(`The site map ${url} is nested more than ${MAX_NESTING} indexes deep.`, 'SiteMapNesting');
  let xml: string;
  try {
    const f = await fetcher.fetch(url, { ...options(), maxBytes: MAX_SITEMAP_BYTES });
    if (!f.body) throw new FetchError(`HTTP ${f.status}`, `HTTP${f.status}`, f.status);
    const gzipped = f.body[0] === 0x1f && f.body[1] === 0x8b;
    xml = (gzipped ? gunzipSync(f.body, { maxOutputLength: MAX_SITEMAP_BYTES }) : f.body).toString('utf8');
  } catch (e) {
    if (e instanceof FetchError) throw new SourceError(`kendrite cannot read the site map ${url}: ${e.message}.`, e.code);
    if ((e as NodeJS.ErrnoException).code?.startsWith('Z_') || (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new SourceError(`The site map ${url} is not a readable gzip file of at most ${MAX_SITEMAP_BYTES} bytes.`, 'SiteMapUnreadable');
    throw e;
  }
  const isIndex = /<sitemapindex[\s>]/.test(xml);
  if (!isIndex && !/<urlset[\s>]/.test(xml)) throw new SourceError(`The site map ${url} is neither a <urlset> nor a <sitemapindex>.`, 'SiteMapUnreadable');
  for (const loc of locations(xml)) {
    const u = normalizeUrl(loc, url);
    if (!u) continue;
    if (isIndex) yield* siteMapUrls(u, fetcher, options, depth + 1);
    else yield u;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function* locations(xml: string): Generator<string> {
  for (const m of xml.matchAll(/<loc>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))\s*<\/loc>/g)) {
    const raw = m[1] ?? m[2] ?? '';
    yield raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e.toLowerCase()]!,
    );
  }
}
