/**
 * The benchmark site's pages, the same in the site's process and in the bench (which fetches them for
 * the baseline): "/" links to the sections "/s/<j>", each section to its pages "/s/<j>/<k>" (and back
 * home); `pages` counts them all, home and sections included, so a crawl of depth 3 finds exactly
 * `pages` documents.
 */
const PER_SECTION = 100;

export function sitePaths(pages: number): string[] {
  const sections = Math.ceil((pages - 1) / (PER_SECTION + 1));
  const out = ['/'];
  for (let j = 0; j < sections; j++) out.push(`/s/${j}`);
  let left = pages - 1 - sections;
  for (let j = 0; j < sections && left > 0; j++) for (let k = 0; k < PER_SECTION && left > 0; k++, left--) out.push(`/s/${j}/${k}`);
  return out;
}

const WORDS = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'di', 'fo', 'ga', 'hu', 'je', 'wi', 'xo', 'by', 'co'];

function text(seed: number, bytes: number): string {
  let s = seed >>> 0;
  let out = '';
  while (out.length < bytes) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out += WORDS[s % WORDS.length]! + WORDS[(s >>> 8) % WORDS.length]! + (s % 13 === 0 ? '. ' : ' ');
  }
  return out;
}

export function sitePage(path: string, pages: number): string {
  const parts = path.split('/').filter(Boolean);
  let links: string[] = [];
  if (parts.length === 0) links = sitePaths(pages).filter((p) => /^\/s\/\d+$/.test(p));
  else if (parts.length === 2) links = ['/', ...sitePaths(pages).filter((p) => p.startsWith(`${path}/`))];
  else links = ['/', `/s/${parts[1]}`];
  let seed = 0;
  for (const c of path) seed = (seed * 31 + c.charCodeAt(0)) >>> 0;
  const body = text(seed, 2048 + (seed % 2048));
  return `<!doctype html><html><head><title>Page ${path}</title></head><body><h1>${path}</h1><p>${body}</p><nav>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</nav></body></html>`;
}
