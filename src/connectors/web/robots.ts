// robots.txt (RFC 9309, read by the maintained robots-parser), fetched once per origin and crawl.
// Missing (4xx): everything allowed. A server error: nothing allowed, as the RFC says. A host that
// cannot be reached at all: its pages are tried, and fail with the reason.
import robotsParserModule from 'robots-parser';

import { FetchError, type FetchOptions, type PageFetcher } from './fetcher.js';

/** The groups kendrite obeys: its own, and Amazon Kendra's (a site written for Kendra keeps its rules). */
// robots-parser is CommonJS (module.exports = the function); its typings declare an ES default export.
const robotsParser = robotsParserModule as unknown as (url: string, text: string) => { isAllowed(url: string, ua?: string): boolean | undefined };

const AGENTS = ['kendrite-crawler', 'amazon-kendra'];
const MAX_ROBOTS_BYTES = 512 * 1024;

type Rules = { isAllowed(url: string, ua?: string): boolean | undefined } | 'all' | 'none';

export class RobotsRules {
  private readonly byOrigin = new Map<string, Promise<Rules>>();

  constructor(
    private readonly fetcher: PageFetcher,
    private readonly options: () => Omit<FetchOptions, 'maxBytes' | 'validators'>,
  ) {}

  async allows(url: string): Promise<boolean> {
    const origin = new URL(url).origin;
    let rules = this.byOrigin.get(origin);
    if (!rules) {
      rules = this.read(origin);
      this.byOrigin.set(origin, rules);
    }
    const r = await rules;
    if (r === 'all' || r === 'none') return r === 'all';
    return AGENTS.every((ua) => r.isAllowed(url, ua) !== false);
  }

  private async read(origin: string): Promise<Rules> {
    const at = `${origin}/robots.txt`;
    try {
      const f = await this.fetcher.fetch(at, { ...this.options(), maxBytes: MAX_ROBOTS_BYTES });
      if (f.status >= 400 && f.status < 500) return 'all';
      if (!f.body) return 'none';
      return robotsParser(f.url, f.body.toString('utf8'));
    } catch (e) {
      if (!(e instanceof FetchError)) throw e;
      // The host cannot be reached (or the address guard refuses it): the page's own fetch fails the
      // same way and says why (in the report, or failing the sync for a seed), rather than vanishing.
      return 'all';
    }
  }
}
