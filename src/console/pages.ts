/** The console's pages: data in, HTML out (every value escaped by html.ts). No I/O here. */
import type { QueryOutput } from '../domain/query.js';
import type { DataSourceRow } from '../store/dataSources.js';
import type { ExperienceRow } from '../store/experiences.js';
import type { IndexRow } from '../store/indices.js';
import type { HistoryRow } from '../store/syncJobs.js';
import { href, html, type Html } from './html.js';

export const REPORT_ACTIONS = ['ADDED', 'MODIFIED', 'DELETED', 'FAILED'] as const;
const RUNNING = new Set(['SYNCING', 'SYNCING_INDEXING', 'STOPPING']);

const time = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));
const seconds = (ms: number | null) => (ms === null ? '' : `${(ms / 1000).toFixed(1)} s`);
const status = (s: string) => html`<span class="status status-${s}">${s}</span>`;
const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export function signIn(error?: string, region = 'us-east-1'): Html {
  return html`<p>Sign in with an access key configured for this kendrite server (the same keys its API accepts).</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/login" class="panel">
<div class="row"><label for="accessKeyId">Access key id<input id="accessKeyId" name="accessKeyId" autocomplete="username" required></label>
<label for="secretAccessKey">Secret access key<input id="secretAccessKey" name="secretAccessKey" type="password" autocomplete="current-password" required></label>
<label for="region">Region<input id="region" name="region" value="${region}" required pattern="[a-z0-9-]+"></label>
<button type="submit">Sign in</button></div></form>`;
}

export function indexList(indices: { index: IndexRow; dataSources: DataSourceRow[] }[]): Html {
  if (!indices.length) return html`<p>No indices in this account and region yet. Create one with <code>CreateIndex</code>.</p>`;
  return html`<div class="table-wrap"><table><caption>Indices and their data sources</caption>
<thead><tr><th scope="col">Index</th><th scope="col">Status</th><th scope="col">Edition</th><th scope="col">Data sources</th></tr></thead><tbody>
${indices.map(({ index, dataSources }) => html`<tr><td><a href="${href('indices', index.id)}">${index.name}</a><div class="muted">${index.id}</div></td>
<td>${status(index.status)}</td><td>${index.edition}</td>
<td>${dataSources.length ? html`<ul>${dataSources.map((d) => html`<li><a href="${href('indices', index.id, 'data-sources', d.id)}">${d.name}</a> <span class="muted">${d.type} · ${d.status}</span></li>`)}</ul>` : html`<span class="muted">none</span>`}</td></tr>`)}
</tbody></table></div>`;
}

export function indexPage(index: IndexRow, dataSources: DataSourceRow[], experiences: ExperienceRow[], stats: { count: number; bytes: number }): Html {
  return html`<p>${status(index.status)} · ${stats.count} documents · ${stats.bytes} bytes of text · <a href="${href('indices', index.id, 'search')}">Search this index</a></p>
<h2>Data sources</h2>
${dataSources.length ? html`<div class="table-wrap"><table><caption>Data sources of ${index.name}</caption><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Id</th></tr></thead><tbody>
${dataSources.map((d) => html`<tr><td><a href="${href('indices', index.id, 'data-sources', d.id)}">${d.name}</a></td><td>${d.type}</td><td>${status(d.status)}</td><td class="muted">${d.id}</td></tr>`)}
</tbody></table></div>` : html`<p>No data sources.</p>`}
<h2>Experiences</h2>
${experiences.length ? html`<ul>${experiences.map((e) => html`<li><a href="${href('experiences', e.id)}">${e.name}</a> ${status(e.status)}</li>`)}</ul>` : html`<p>No experiences. Create one with <code>CreateExperience</code>.</p>`}`;
}

export interface DataSourceView {
  index: IndexRow;
  dataSource: DataSourceRow;
  jobs: HistoryRow[];
  canWrite: boolean;
  csrf: string;
  notice?: string;
}

export function dataSourcePage(v: DataSourceView): Html {
  const base = href('indices', v.index.id, 'data-sources', v.dataSource.id);
  const running = v.jobs.some((j) => RUNNING.has(j.status));
  const custom = v.dataSource.type === 'CUSTOM';
  const can = v.canWrite ? 'yes' : undefined;
  return html`<p>${v.dataSource.type} · ${status(v.dataSource.status)} · <span class="muted">${v.dataSource.id}</span></p>
${v.notice ? html`<p role="status" class="panel">${v.notice}</p>` : ''}
<div class="row">
<form method="post" action="${base}/start" class="inline">${hidden(v.csrf)}<button id="start-button" type="submit" data-can="${can}" ${running || !v.canWrite ? html`disabled` : ''}>Start sync</button></form>
<form method="post" action="${base}/stop" class="inline">${hidden(v.csrf)}<button id="stop-button" type="submit" class="secondary" data-can="${can}" ${!running || !v.canWrite ? html`disabled` : ''}>Stop sync</button></form>
${v.canWrite ? '' : html`<span class="muted">This access key may read only.</span>`}
</div>
<section id="live" class="panel" aria-labelledby="live-title" aria-live="polite" ${v.jobs.length ? '' : html`hidden`}>
<h2 id="live-title">Latest job: <span data-k="Status">${v.jobs[0]?.status}</span></h2>
<p class="muted">Execution <span data-k="Execution">${v.jobs[0]?.execution_id}</span></p>
<dl class="metrics">${metricNames(custom).map(([k, label]) => html`<div><dt>${label}</dt><dd data-k="${k}">${v.jobs[0] ? metric(v.jobs[0], k, custom) || '–' : '–'}</dd></div>`)}</dl>
</section>
<h2>Sync history</h2>
<div id="history" data-url="${base}/jobs.json">
<div class="charts">
<figure><figcaption id="docs-caption">Documents per run</figcaption><div id="chart-docs" role="img" aria-labelledby="docs-caption"></div></figure>
<figure><figcaption id="duration-caption">Duration per run (seconds)</figcaption><div id="chart-duration" role="img" aria-labelledby="duration-caption"></div></figure>
</div>
${v.jobs.length ? html`<div class="table-wrap"><table><caption>Sync jobs, newest first</caption><thead><tr><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col" class="num">Duration</th>
${metricNames(custom).map(([, label]) => html`<th scope="col" class="num">${label}</th>`)}<th scope="col">Error</th><th scope="col">Report</th></tr></thead><tbody>
${v.jobs.map((j) => html`<tr id="job-${j.execution_id}"><td><span data-k="Status" class="status status-${j.status}">${j.status}</span></td><td>${time(j.start_time)}</td>
<td data-k="EndTime">${time(j.end_time)}</td><td class="num" data-k="Duration">${seconds(j.end_time === null ? null : j.end_time - j.start_time)}</td>
${metricNames(custom).map(([k]) => html`<td class="num" data-k="${k}">${metric(j, k, custom)}</td>`)}
<td data-k="Error">${j.error_message}</td><td><a href="${href('jobs', j.execution_id)}" aria-label="Report of the job started ${time(j.start_time)}">Report</a></td></tr>`)}
</tbody></table></div>` : html`<p>No sync has run yet.</p>`}
</div>`;
}

function metricNames(custom: boolean): [string, string][] {
  const names: [string, string][] = [['Added', 'Added'], ['Modified', 'Modified'], ['Deleted', 'Deleted'], ['Failed', 'Failed']];
  return custom ? names : [...names, ['Scanned', 'Scanned']];
}

function metric(j: HistoryRow, k: string, custom: boolean): string {
  const v = { Added: j.documents_added, Modified: j.documents_modified, Deleted: j.documents_deleted, Failed: j.documents_failed, Scanned: custom ? null : j.documents_scanned }[k];
  return v === null || v === undefined ? '' : String(v);
}

/** jobs.json: what the page's script polls. */
export function jobsJson(jobs: HistoryRow[], type: string) {
  const custom = type === 'CUSTOM';
  return {
    jobs: jobs.map((j) => ({
      ExecutionId: j.execution_id, Status: j.status, StartTime: j.start_time, EndTime: j.end_time,
      DurationMs: j.end_time === null ? null : j.end_time - j.start_time, ErrorMessage: j.error_message,
      Metrics: { Added: j.documents_added, Modified: j.documents_modified, Deleted: j.documents_deleted, Failed: j.documents_failed, Scanned: custom ? null : j.documents_scanned },
    })),
  };
}

export interface ReportView {
  job: HistoryRow & { index_id: string; data_source_id: string };
  timeline: { status: string; at: number }[];
  items: { document_id: string; action: string; reason: string | null; at: number }[];
  action?: string;
  reason?: string;
  nextHref?: string;
}

export function reportPage(v: ReportView): Html {
  const base = href('jobs', v.job.execution_id);
  return html`<p>${status(v.job.status)} · started ${time(v.job.start_time)}${v.job.end_time !== null ? html` · ended ${time(v.job.end_time)}` : ''}
${v.job.error_message ? html` · <span class="error">${v.job.error_message}</span>` : ''}</p>
<p>Timeline: ${v.timeline.map((t, i) => html`${i ? ' → ' : ''}${t.status} <span class="muted">(${time(t.at)})</span>`)}</p>
<form method="get" action="${base}" class="panel" role="search" aria-label="Filter the report"><div class="row">
<label for="action">Action<select id="action" name="action"><option value="">All</option>${REPORT_ACTIONS.map((a) => html`<option value="${a}" ${v.action === a ? html`selected` : ''}>${a}</option>`)}</select></label>
<label for="reason">Reason contains<input id="reason" name="reason" value="${v.reason}"></label>
<button type="submit">Filter</button></div></form>
${v.items.length ? html`<div class="table-wrap"><table><caption>Documents of this job${v.action ? html` (${v.action})` : ''}</caption><thead><tr><th scope="col">Document</th><th scope="col">Action</th><th scope="col">Time</th><th scope="col">Reason</th></tr></thead><tbody>
${v.items.map((i) => html`<tr><td>${i.document_id}</td><td>${status(i.action)}</td><td>${time(i.at)}</td>
<td>${i.reason ? html`<details><summary>Reason</summary><p class="reason">${i.reason}</p></details>` : ''}</td></tr>`)}
</tbody></table></div>` : html`<p>No documents match.</p>`}
${v.nextHref ? html`<p><a href="${v.nextHref}">Next page</a></p>` : ''}`;
}

export interface SearchView {
  action: string;
  text: string;
  userId: string;
  groups: string;
  filters: [string, string][];
  facetKeys: string;
  result?: QueryOutput;
  error?: string;
  /** Names of data sources by id, for facet values. */
  dataSourceNames: Map<string, string>;
  /** The link that adds one more filter. */
  withFilter: (key: string, value: string) => string;
  withoutFilter: (i: number) => string;
}

export function searchPage(v: SearchView): Html {
  return html`<form method="get" action="${v.action}" role="search" aria-label="Search documents" class="panel">
<div class="row"><label for="q">Search for<input id="q" name="q" type="search" value="${v.text}" size="30"></label>
<label for="user">As user id<input id="user" name="user" value="${v.userId}" autocomplete="off"></label>
<label for="groups">In groups (comma-separated)<input id="groups" name="groups" value="${v.groups}" autocomplete="off"></label>
<label for="facets">Facet on (comma-separated keys)<input id="facets" name="facets" value="${v.facetKeys}"></label>
${v.filters.map(([k, val]) => html`<input type="hidden" name="f" value="${k}=${val}">`)}
<button type="submit">Search</button></div>
${v.filters.length ? html`<p>Filters: ${v.filters.map(([k, val], i) => html`<a href="${v.withoutFilter(i)}" aria-label="Remove filter ${k} = ${val}">${k} = ${val} ✕</a> `)}</p>` : ''}
</form>
${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
${v.result ? results(v) : ''}`;
}

function results(v: SearchView): Html {
  const r = v.result!;
  const facets = r.FacetResults.filter((f) => f.DocumentAttributeValueCountPairs.length);
  return html`<div class="layout">
<aside aria-label="Facets">${facets.length ? html`<h2>Facets</h2><div class="facets">${facets.map((f) => html`<section><h3>${f.DocumentAttributeKey}</h3><ul>
${f.DocumentAttributeValueCountPairs.map((p) => {
    const value = String(p.DocumentAttributeValue.StringValue ?? p.DocumentAttributeValue.LongValue ?? p.DocumentAttributeValue.DateValue ?? '');
    const label = f.DocumentAttributeKey === '_data_source_id' ? (v.dataSourceNames.get(value) ?? value) : value;
    return html`<li><a href="${v.withFilter(f.DocumentAttributeKey, value)}">${label}</a> <span class="muted">(${p.Count})</span></li>`;
  })}</ul></section>`)}</div>` : ''}</aside>
<section aria-labelledby="results-title"><h2 id="results-title">${r.TotalNumberOfResults} result${r.TotalNumberOfResults === 1 ? '' : 's'}</h2>
${r.ResultItems.map((item) => html`<article class="result"><h3>${highlighted(item.DocumentTitle)}</h3>
<p>${highlighted(item.DocumentExcerpt)}</p>
<p class="muted">${item.DocumentId}${item.DocumentURI ? html` · <a href="${item.DocumentURI}" rel="noopener noreferrer">${item.DocumentURI}</a>` : ''} · ${item.ScoreAttributes.ScoreConfidence}</p></article>`)}
</section></div>`;
}

/** Text with its highlights as <mark>, each piece escaped. */
function highlighted(t: { Text: string; Highlights?: { BeginOffset: number; EndOffset: number }[] }): Html {
  const parts: Html[] = [];
  let at = 0;
  for (const h of [...(t.Highlights ?? [])].sort((a, b) => a.BeginOffset - b.BeginOffset)) {
    if (h.BeginOffset < at) continue;
    parts.push(html`${t.Text.slice(at, h.BeginOffset)}<mark>${t.Text.slice(h.BeginOffset, h.EndOffset)}</mark>`);
    at = h.EndOffset;
  }
  parts.push(html`${t.Text.slice(at)}`);
  return html`${parts}`;
}

export function experiencePage(e: ExperienceRow, search: Html): Html {
  return html`<p>${status(e.status)}${e.description ? html` · ${e.description}` : ''}</p>${search}`;
}

export function message(text: string): Html {
  return html`<p>${text}</p><p><a href="/console">Back to the indices</a></p>`;
}
