// What a page says about other pages: its links (in order of appearance) and its canonical URL.
import { Parser } from 'htmlparser2';
import { normalizeUrl } from './urls.js';

export interface PageLinks {
  links: string[];
  canonical?: string;
  /** <meta name="robots" content="nofollow"> / "noindex". */
  nofollow: boolean;
  noindex: boolean;
}

/** Links of an HTML page at `pageUrl` (the base element honoured), normalised and de-duplicated, at most `max`. */
export function extractLinks(html: string, pageUrl: string, max: number): PageLinks {
  let base = pageUrl;
  const links: string[] = [];
  const seen = new Set<string>();
  const out: PageLinks = { links, nofollow: false, noindex: false };
  const parser = new Parser(
    {
      onopentag(name, a) {
        if (name === 'base' && a.href) base = normalizeUrl(a.href, pageUrl) ?? base;
        else if (name === 'link' && a.href && /(^|\s)canonical(\s|$)/i.test(a.rel ?? '')) out.canonical ??= normalizeUrl(a.href, base);
        else if (name === 'meta' && (a.name ?? '').toLowerCase() === 'robots') {
          const c = (a.content ?? '').toLowerCase();
          if (/\b(nofollow|none)\b/.test(c)) out.nofollow = true;
          if (/\b(noindex|none)\b/.test(c)) out.noindex = true;
        } else if ((name === 'a' || name === 'area') && a.href !== undefined && links.length < max && !/(^|\s)nofollow(\s|$)/i.test(a.rel ?? '')) {
          const u = normalizeUrl(a.href, base);
          if (u && !seen.has(u)) {
            seen.add(u);
            links.push(u);
          }
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  if (out.nofollow) links.length = 0;
  return out;
}
