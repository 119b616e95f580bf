/**
 * The web console at /console: a front end beside the CLI, over the same domain services the API's
 * handlers call (never the store). Signed in with an access key the API accepts (a signed session
 * cookie), or open without sign-in when the server runs in open mode on loopback. Pages are
 * rendered on the server; the one script polls a job's numbers and draws the charts.
 */
import type { Services } from '../api/context.js';
import type { AttributeFilter } from '../search/attributeFilter.js';
import type { ContentSources } from '../search/engine.js';
import { DomainError } from '../domain/errors.js';
import type { QueryInput } from '../domain/query.js';
import { authorize, DEFAULT_ACCOUNT_ID, type CredentialConfig } from '../http/auth.js';
import type { PlainRequest, Reply } from '../http/http1.js';
import { KendraError } from '../protocol/errors.js';
import type { ReportAction } from '../store/syncReport.js';
import { loadAssets } from './assets.js';
import { href, html, page, type Chrome, type Html } from './html.js';
import * as pages from './pages.js';
import { clearedCookie, matchCredential, Sessions, type Session } from './session.js';

export interface ConsoleOptions {
  services: Services;
  /** Signs session cookies (shared by every process on the store). */
  sessionKey: Buffer;
  credentials: CredentialConfig[];
  /** Open mode (no credentials) on a loopback address: no sign-in. */
  open: boolean;
}

export type ConsoleHandler = (req: PlainRequest) => Promise<Reply> | undefined;

const DEFAULT_REGION = 'us-east-1';
const HISTORY_SHOWN = 50;
const REPORT_PAGE = 200;
const DEFAULT_FACETS = '_data_source_id, _category, _file_type';
const NOTICES: Record<string, string> = { started: 'Sync started.', stopping: 'Stop requested: the job ends after its current batch.' };
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

class Answer extends Error {
  constructor(readonly reply: Reply) {
    super('answer');
  }
}

/** The console's requests (`/console…`), or undefined for any other target. */
export function createConsole(opts: ConsoleOptions): ConsoleHandler {
  const assets = loadAssets();
  const sessions = new Sessions(opts.sessionKey);
  const s = opts.services;

  return (req) => {
    if (!(req.target === '/console' || req.target.startsWith('/console/') || req.target.startsWith('/console?'))) return undefined;
    return serve(req).catch((e: unknown) => {
      if (e instanceof Answer) return e.reply;
      throw e;
    });
  };

  async function serve(req: PlainRequest): Promise<Reply> {
    const url = new URL(req.target, 'http://console');
    const path = url.pathname.replace(/\/+$/, '') || '/console';
    const asset = /^\/console\/assets\/([a-z.]+)$/.exec(path);
    if (asset && req.method === 'GET') {
      const a = assets.get(asset[1]!);
      return a ? { status: 200, headers: { 'content-type': a.type, 'cache-control': 'public, max-age=3600', ...SECURITY_HEADERS }, body: a.body } : notFound('No such file.');
    }
    if (req.method === 'POST') checkOrigin(req);
    if (path === '/console/login') return login(req, url);

    let session = sessions.read(header(req, 'cookie'));
    let setCookie: string | undefined;
    if (!session) {
      if (!opts.open) {
        if (req.method === 'GET' && !path.endsWith('.json')) return redirect(`/console/login?next=${encodeURIComponent(url.pathname + url.search)}`);
        return htmlReply(401, { title: 'Signed out' }, pages.message('Your session has ended: sign in again.'));
      }
      ({ session, cookie: setCookie } = sessions.issue({ accessKeyId: '', accountId: DEFAULT_ACCOUNT_ID, region: DEFAULT_REGION, canWrite: true }));
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams(req.body.toString('utf8'));
      if (!sessions.checkCsrf(session, form.get('csrf') ?? undefined)) return htmlReply(403, chrome('Refused', session), pages.message('The form was not sent from this console (its CSRF token is missing or wrong).'));
      const reply = await post(path, form, session);
      return setCookie ? withCookie(reply, setCookie) : reply;
    }
    if (req.method !== 'GET') return htmlReply(405, chrome('Not allowed', session), pages.message(`${req.method} is not served here.`));
    const reply = await get(path, url.searchParams, session).catch((e: unknown) => failure(e, session!));
    return setCookie ? withCookie(reply, setCookie) : reply;
  }

  async function login(req: PlainRequest, url: URL): Promise<Reply> {
    if (opts.open) return redirect('/console');
    if (req.method === 'GET') return htmlReply(200, { title: 'Sign in' }, pages.signIn());
    const form = new URLSearchParams(req.body.toString('utf8'));
    const region = form.get('region') || DEFAULT_REGION;
    const cred = matchCredential(opts.credentials, form.get('accessKeyId') ?? '', form.get('secretAccessKey') ?? '');
    if (!cred || !/^[a-z0-9-]{1,32}$/.test(region)) return htmlReply(401, { title: 'Sign in' }, pages.signIn(cred ? 'That is not a region name.' : 'Unknown access key id or wrong secret.', region));
    const { cookie } = sessions.issue({ accessKeyId: cred.accessKeyId, accountId: cred.accountId, region, canWrite: cred.permissions === 'read-write' });
    const next = url.searchParams.get('next');
    return withCookie(redirect(next && /^\/console(\/|$|\?)/.test(next) ? next : '/console'), cookie);
  }

  async function post(path: string, form: URLSearchParams, session: Session): Promise<Reply> {
    if (path === '/console/logout') return withCookie(redirect(opts.open ? '/console' : '/console/login'), clearedCookie);
    if (path === '/console/region') {
      const region = form.get('region') ?? '';
      if (!/^[a-z0-9-]{1,32}$/.test(region)) return htmlReply(400, chrome('Region', session), pages.message('That is not a region name.'));
      const { cookie } = sessions.issue({ accessKeyId: session.accessKeyId, accountId: session.accountId, region, canWrite: session.canWrite });
      return withCookie(redirect('/console'), cookie);
    }
    const m = /^\/console\/indices\/([^/]+)\/data-sources\/([^/]+)\/(start|stop)$/.exec(path);
    if (!m) return notFound('No such page.');
    const [indexId, dsId] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    const scope = scopeOf(session);
    const back = href('indices', indexId, 'data-sources', dsId);
    try {
      if (m[3] === 'start') {
        authorize(caller(session), 'StartDataSourceSyncJob');
        await s.syncJobs.start(scope, indexId, dsId);
        return redirect(`${back}?notice=started`);
      }
      authorize(caller(session), 'StopDataSourceSyncJob');
      await s.syncJobs.stop(scope, indexId, dsId);
      return redirect(`${back}?notice=stopping`);
    } catch (e) {
      return failure(e, session);
    }
  }

  async function get(path: string, q: URLSearchParams, session: Session): Promise<Reply> {
    const scope = scopeOf(session);
    if (path === '/console') {
      const indices = (await s.indices.list(scope, 100)).items;
      const rows = await Promise.all(indices.map(async (index) => ({ index, dataSources: (await s.dataSources.list(scope, index.id, 100)).items })));
      const region = html`<form method="post" action="/console/region" class="panel"><div class="row"><input type="hidden" name="csrf" value="${sessions.csrfToken(session)}">
<label for="region">Region<input id="region" name="region" value="${session.region}" required></label><button type="submit" class="secondary">Switch region</button></div></form>`;
      return htmlReply(200, chrome('Indices', session), html`${pages.indexList(rows)}${region}`);
    }
    let m = /^\/console\/indices\/([^/]+)$/.exec(path);
    if (m) {
      const index = await s.indices.get(scope, decodeURIComponent(m[1]!));
      const [dataSources, experiences, stats] = await Promise.all([s.dataSources.list(scope, index.id, 100), s.experiences.list(scope, index.id, 100), s.indices.statistics(index.id)]);
      return htmlReply(200, chrome(index.name, session, [['Indices', '/console'], [index.name]]), pages.indexPage(index, dataSources.items, experiences.items, stats));
    }
    m = /^\/console\/indices\/([^/]+)\/data-sources\/([^/]+)(\/jobs\.json)?$/.exec(path);
    if (m) {
      const [indexId, dsId] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const index = await s.indices.get(scope, indexId);
      const dataSource = await s.dataSources.get(scope, indexId, dsId);
      const jobs = (await s.syncJobs.history(scope, indexId, dsId, { maxResults: HISTORY_SHOWN })).jobs;
      if (m[3]) return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...SECURITY_HEADERS }, body: JSON.stringify(pages.jobsJson(jobs, dataSource.type)) };
      const view = { index, dataSource, jobs, canWrite: session.canWrite, csrf: sessions.csrfToken(session), notice: NOTICES[q.get('notice') ?? ''] };
      return htmlReply(200, { ...chrome(dataSource.name, session, [['Indices', '/console'], [index.name, href('indices', index.id)], [dataSource.name]]), scripts: ['/console/assets/uplot.js', '/console/assets/console.js'], styles: ['/console/assets/uplot.css'] }, pages.dataSourcePage(view));
    }
    m = /^\/console\/jobs\/([^/]+)$/.exec(path);
    if (m) return report(decodeURIComponent(m[1]!), q, session);
    m = /^\/console\/indices\/([^/]+)\/search$/.exec(path);
    if (m) {
      const index = await s.indices.get(scope, decodeURIComponent(m[1]!));
      const body = await search(session, index.id, href('indices', index.id, 'search'), q);
      return htmlReply(200, chrome(`Search ${index.name}`, session, [['Indices', '/console'], [index.name, href('indices', index.id)], ['Search']]), body);
    }
    m = /^\/console\/experiences\/([^/]+)$/.exec(path);
    if (m) {
      const e = await s.experiences.byId(decodeURIComponent(m[1]!));
      // Another account's experience is as unknown as a missing one.
      const index = e && (await s.indices.get(scope, e.index_id).catch(() => undefined));
      if (!e || !index) return notFound(`Experience ${decodeURIComponent(m[1]!)} does not exist here.`);
      const body = await search(session, index.id, href('experiences', e.id), q, s.experiences.contentSources(e));
      return htmlReply(200, chrome(e.name, session, [['Indices', '/console'], [index.name, href('indices', index.id)], [e.name]]), pages.experiencePage(e, body));
    }
    return notFound('No such page.');
  }

  async function report(executionId: string, q: URLSearchParams, session: Session): Promise<Reply> {
    const action = (pages.REPORT_ACTIONS as readonly string[]).includes(q.get('action') ?? '') ? (q.get('action') as ReportAction) : undefined;
    const reason = q.get('reason')?.trim() || undefined;
    const r = await s.syncJobs.report(scopeOf(session), executionId, REPORT_PAGE, q.get('next') ?? undefined, { action, reason });
    const index = await s.indices.get(scopeOf(session), r.job.index_id);
    const ds = await s.dataSources.get(scopeOf(session), r.job.index_id, r.job.data_source_id);
    const params = (next: string) => {
      const p = new URLSearchParams();
      if (action) p.set('action', action);
      if (reason) p.set('reason', reason);
      p.set('next', next);
      return `${href('jobs', executionId)}?${p}`;
    };
    const view = { job: r.job, timeline: r.timeline, items: r.items, action, reason, nextHref: r.nextToken ? params(r.nextToken) : undefined };
    return htmlReply(200, chrome('Sync job report', session, [['Indices', '/console'], [index.name, href('indices', index.id)], [ds.name, href('indices', index.id, 'data-sources', ds.id)], ['Report']]), pages.reportPage(view));
  }

  /** The search form and, once submitted, its results: Query as the given user, within `scopeFilter`. */
  async function search(session: Session, indexId: string, action: string, q: URLSearchParams, content?: ContentSources): Promise<Html> {
    const filters = q.getAll('f').flatMap((f): [string, string][] => {
      const eq = f.indexOf('=');
      return eq > 0 ? [[f.slice(0, eq), f.slice(eq + 1)]] : [];
    });
    const facetKeys = q.get('facets') ?? DEFAULT_FACETS;
    const link = (fs: [string, string][]) => {
      const p = new URLSearchParams(q);
      p.delete('f');
      for (const [k, v] of fs) p.append('f', `${k}=${v}`);
      return `${action}?${p}`;
    };
    const dataSources = await s.dataSources.list(scopeOf(session), indexId, 100);
    const view: pages.SearchView = {
      action, text: q.get('q') ?? '', userId: q.get('user') ?? '', groups: q.get('groups') ?? '', filters, facetKeys,
      dataSourceNames: new Map(dataSources.items.map((d) => [d.id, d.name])),
      withFilter: (k, v) => link([...filters, [k, v]]),
      withoutFilter: (i) => link(filters.filter((_, j) => j !== i)),
    };
    if (!q.has('q')) return pages.searchPage(view);
    const parts: AttributeFilter[] = filters.map(([k, v]) => ({ EqualsTo: { Key: k, Value: { StringValue: v } } }));
    const groups = view.groups.split(',').map((g) => g.trim()).filter(Boolean);
    const input: QueryInput = {
      IndexId: indexId,
      ...(view.text.trim() ? { QueryText: view.text.trim() } : {}),
      ...(parts.length ? { AttributeFilter: parts.length === 1 ? parts[0]! : { AndAllFilters: parts } } : {}),
      Facets: facetKeys.split(',').map((k) => k.trim()).filter(Boolean).slice(0, 10).map((DocumentAttributeKey) => ({ DocumentAttributeKey })),
      ...(view.userId.trim() || groups.length ? { UserContext: { ...(view.userId.trim() ? { UserId: view.userId.trim() } : {}), ...(groups.length ? { Groups: groups } : {}) } } : {}),
      PageSize: 20,
    };
    try {
      view.result = await s.query.query(scopeOf(session), input, undefined, content);
    } catch (e) {
      if (!(e instanceof DomainError) && !(e instanceof KendraError)) throw e;
      view.error = e.message;
    }
    return pages.searchPage(view);
  }

  function chrome(title: string, session: Session, crumbs?: Chrome['crumbs']): Chrome {
    const label = session.accessKeyId ? `${session.accessKeyId} (account ${session.accountId})` : `open mode (account ${session.accountId})`;
    return { title, crumbs, who: { label, region: session.region, csrf: sessions.csrfToken(session), canSignOut: !opts.open } };
  }

  function failure(e: unknown, session: Session): Reply {
    if (e instanceof DomainError) {
      const status = { NotFound: 404, Conflict: 409, InUse: 409, AlreadyExists: 409, Invalid: 400, QuotaExceeded: 400, AccessDenied: 403 }[e.kind];
      return htmlReply(status, chrome(status === 404 ? 'Not found' : 'Not done', session), pages.message(e.message));
    }
    if (e instanceof KendraError) return htmlReply(e.status === 400 && e.code === 'AccessDeniedException' ? 403 : e.status, chrome('Not done', session), pages.message(e.message));
    throw e;
  }
}

const scopeOf = (s: Session) => ({ accountId: s.accountId, region: s.region });
const caller = (s: Session) => ({ accountId: s.accountId, region: s.region, accessKeyId: s.accessKeyId || 'open-mode', canWrite: s.canWrite });

function header(req: PlainRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join('; ') : v;
}

/** A form posted from another site is refused whatever it carries (SameSite=Strict and the CSRF token are the other two locks). */
function checkOrigin(req: PlainRequest): void {
  const origin = header(req, 'origin');
  if (origin === undefined || (URL.canParse(origin) && new URL(origin).host === header(req, 'host'))) return;
  throw new Answer({ status: 403, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }, body: 'Refused: this form was posted from another site.' });
}

function htmlReply(status: number, chrome: Chrome, body: Html): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS }, body: page(chrome, body) };
}

function notFound(text: string): Reply {
  return htmlReply(404, { title: 'Not found' }, pages.message(text));
}

function redirect(location: string): Reply {
  return { status: 303, headers: { location, 'cache-control': 'no-store', ...SECURITY_HEADERS }, body: '' };
}

function withCookie(r: Reply, cookie: string): Reply {
  return { ...r, headers: { ...r.headers, 'set-cookie': cookie } };
}
