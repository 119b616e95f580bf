import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BatchPutDocumentCommand, CreateExperienceCommand, DescribeExperienceCommand, StopDataSourceSyncJobCommand, UpdateExperienceCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { ConsoleClient, CREDENTIALS, customJob } from './support/console.js';

const XSS = '<script>alert("x")</script>';

for (const backend of backends()) {
  describeOrSkip(`web console over HTTP [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let ds: string;
    let job: string;

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { config: { credentials: CREDENTIALS } });
      k = server.client(CREDENTIALS[0]!);
      indexId = await activeIndex(k, 'handbook');
      ds = await activeCustomDataSource(k, indexId, 'manuals');
      job = await customJob(k, indexId, ds, 3);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      await jobReaching(k, indexId, ds, job, ['INCOMPLETE']);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('sign-in: pages need a session; a wrong secret is refused; the cookie is HttpOnly and SameSite=Strict', async () => {
      const c = new ConsoleClient(server.url);
      const first = await c.get('/console');
      assert.equal(first.status, 303);
      assert.equal(first.location, '/console/login?next=%2Fconsole');
      assert.equal((await c.get(`/console/indices/${indexId}/data-sources/${ds}/jobs.json`)).status, 401);
      assert.equal((await c.signIn('AKIDCONSOLE', 'wrong')).status, 401);
      assert.equal((await c.signIn('AKIDNOBODY', 'console-secret')).status, 401);
      assert.equal(c.cookie, '');
      const r = await fetch(`${server.url}/console/login`, { method: 'POST', redirect: 'manual', body: 'accessKeyId=AKIDCONSOLE&secretAccessKey=console-secret&region=us-east-1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(r.status, 303);
      assert.match(r.headers.get('set-cookie')!, /^kendrite_console=[^;]+; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=28800$/);
      assert.equal((await c.signIn('AKIDCONSOLE', 'console-secret')).status, 303);
      const home = await c.get('/console');
      assert.equal(home.status, 200);
      assert.match(home.body, /AKIDCONSOLE \(account 123456789012\) · us-east-1/);
      assert.match(home.body, new RegExp(`href="/console/indices/${indexId}">handbook</a>`));
      // A forged cookie is no session.
      const forged = new ConsoleClient(server.url);
      forged.cookie = c.cookie.replace(/\.[^.]+$/, '.AAAA');
      assert.equal((await forged.get('/console')).status, 303);
      // Signed out: the cookie is cleared.
      assert.equal((await c.post('/console/logout', { csrf: ConsoleClient.csrf(home.body) })).status, 303);
      assert.equal(c.cookie, '');
    });

    test('the data source page shows the history with the five metrics; jobs.json has the same numbers', async () => {
      const c = new ConsoleClient(server.url);
      await c.signIn('AKIDCONSOLE', 'console-secret');
      const p = await c.get(`/console/indices/${indexId}/data-sources/${ds}`);
      assert.equal(p.status, 200);
      assert.match(p.body, new RegExp(`<tr id="job-${job}"><td><span data-k="Status" class="status status-INCOMPLETE">INCOMPLETE</span>`));
      const json = JSON.parse((await c.get(`/console/indices/${indexId}/data-sources/${ds}/jobs.json`)).body);
      assert.equal(json.jobs.length, 1);
      assert.deepEqual(json.jobs[0].Metrics, { Added: 3, Modified: 0, Deleted: 0, Failed: 1, Scanned: null });
      assert.equal(json.jobs[0].Status, 'INCOMPLETE');
      assert.equal(typeof json.jobs[0].DurationMs, 'number');
    });

    test('the job report filters by action and by reason', async () => {
      const c = new ConsoleClient(server.url);
      await c.signIn('AKIDCONSOLE', 'console-secret');
      const rows = (body: string) => [...body.matchAll(/<tr><td>([^<]+)<\/td><td><span class="status status-(\w+)">/g)].map((m) => `${m[2]} ${m[1]}`);
      assert.deepEqual(rows((await c.get(`/console/jobs/${job}`)).body), ['FAILED broken.json', 'ADDED doc-0', 'ADDED doc-1', 'ADDED doc-2']);
      const failed = await c.get(`/console/jobs/${job}?action=FAILED`);
      assert.deepEqual(rows(failed.body), ['FAILED broken.json']);
      assert.match(failed.body, /<details><summary>Reason<\/summary><p class="reason">[^<]*JSON[^<]*<\/p><\/details>/);
      assert.deepEqual(rows((await c.get(`/console/jobs/${job}?reason=json`)).body), ['FAILED broken.json']);
      assert.deepEqual(rows((await c.get(`/console/jobs/${job}?action=ADDED&reason=json`)).body), []);
      assert.equal((await c.get('/console/jobs/00000000-0000-0000-0000-000000000000')).status, 404);
    });

    test('start and stop: a POST needs the CSRF token and this site as its origin; a read-only key may not', async () => {
      const c = new ConsoleClient(server.url);
      await c.signIn('AKIDCONSOLE', 'console-secret');
      const page = (await c.get(`/console/indices/${indexId}/data-sources/${ds}`)).body;
      const csrf = ConsoleClient.csrf(page);
      const start = `/console/indices/${indexId}/data-sources/${ds}/start`;
      assert.equal((await c.post(start, {})).status, 403);
      assert.equal((await c.post(start, { csrf: 'x' + csrf })).status, 403);
      assert.equal((await c.post(start, { csrf }, { origin: 'http://evil.example' })).status, 403);
      assert.equal(JSON.parse((await c.get(`/console/indices/${indexId}/data-sources/${ds}/jobs.json`)).body).jobs.length, 1);

      const reader = new ConsoleClient(server.url);
      await reader.signIn('AKIDREADER', 'reader-secret');
      const readerPage = (await reader.get(`/console/indices/${indexId}/data-sources/${ds}`)).body;
      assert.match(readerPage, /This access key may read only\./);
      assert.equal((await reader.post(start, { csrf: ConsoleClient.csrf(readerPage) })).status, 403);

      const started = await c.post(start, { csrf }, { origin: server.url });
      assert.equal(started.status, 303);
      assert.equal(started.location, `/console/indices/${indexId}/data-sources/${ds}?notice=started`);
      const jobs = JSON.parse((await c.get(`/console/indices/${indexId}/data-sources/${ds}/jobs.json`)).body).jobs;
      assert.equal(jobs.length, 2);
      assert.equal(jobs[0].Status, 'SYNCING');
      // A second start while one runs: the domain's conflict, shown as a page.
      assert.equal((await c.post(start, { csrf })).status, 409);
      const stopped = await c.post(`/console/indices/${indexId}/data-sources/${ds}/stop`, { csrf });
      assert.equal(stopped.status, 303);
      await jobReaching(k, indexId, ds, jobs[0].ExecutionId, ['SUCCEEDED', 'ABORTED', 'INCOMPLETE']);
    });

    test('every value is escaped: a document titled with a script shows as text', async () => {
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [{ Id: `x${XSS}`, Title: XSS, Blob: Buffer.from(`escaping ${XSS} matters`), ContentType: 'PLAIN_TEXT' }] }));
      const c = new ConsoleClient(server.url);
      await c.signIn('AKIDCONSOLE', 'console-secret');
      const r = await waitFor('the document searchable', async () => {
        const p = await c.get(`/console/indices/${indexId}/search?q=escaping&user=&groups=&facets=${encodeURIComponent('_data_source_id')}&f=${encodeURIComponent(`k=${XSS}`)}`);
        return p.body.includes('<h2 id="results-title">0 results') ? p : undefined;
      });
      // The filter value echoed back, escaped.
      assert.ok(r.body.includes('k = &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
      const hit = await c.get(`/console/indices/${indexId}/search?q=escaping`);
      assert.match(hit.body, /<h2 id="results-title">1 result<\/h2>/);
      assert.ok(hit.body.includes('<h3>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h3>'));
      assert.ok(hit.body.includes('<mark>escaping</mark> &lt;script&gt;'));
      assert.equal(hit.body.split('<script').length - 1, 0, 'no script element on a search page');
    });

    test('an experience page searches its own data sources only', async () => {
      const other = await activeCustomDataSource(k, indexId, 'other');
      const put = (id: string, dsId: string) => ({ Id: id, Title: id, Blob: Buffer.from('quarterly figures'), ContentType: 'PLAIN_TEXT' as const, Attributes: [{ Key: '_data_source_id', Value: { StringValue: dsId } }] });
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [put('in-manuals', ds), put('in-other', other), { Id: 'direct', Title: 'direct', Blob: Buffer.from('quarterly figures'), ContentType: 'PLAIN_TEXT' }] }));
      const { Id } = await k.send(new CreateExperienceCommand({ IndexId: indexId, Name: 'manuals-only', Configuration: { ContentSourceConfiguration: { DataSourceIds: [ds] } } }));
      await waitFor('experience ACTIVE', async () => ((await k.send(new DescribeExperienceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE' ? true : undefined));
      const d = await k.send(new DescribeExperienceCommand({ IndexId: indexId, Id }));
      const path = new URL(d.Endpoints![0]!.Endpoint!).pathname;
      assert.equal(path, `/console/experiences/${Id}`);
      const c = new ConsoleClient(server.url);
      await c.signIn('AKIDCONSOLE', 'console-secret');
      const ids = (body: string) => [...body.matchAll(/<p class="muted">([^ <]+)/g)].map((m) => m[1]).sort();
      const found = await waitFor('three documents searchable', async () => {
        const all = await c.get(`/console/indices/${indexId}/search?q=quarterly`);
        return ids(all.body).length === 3 ? all : undefined;
      });
      assert.deepEqual(ids(found.body), ['direct', 'in-manuals', 'in-other']);
      assert.deepEqual(ids((await c.get(`${path}?q=quarterly`)).body), ['in-manuals']);
      // DirectPutContent alone: the documents put outside any data source.
      await k.send(new UpdateExperienceCommand({ IndexId: indexId, Id, Configuration: { ContentSourceConfiguration: { DirectPutContent: true } } }));
      assert.deepEqual(ids((await c.get(`${path}?q=quarterly`)).body), ['direct']);
      await k.send(new UpdateExperienceCommand({ IndexId: indexId, Id, Configuration: { ContentSourceConfiguration: { DirectPutContent: true, DataSourceIds: [other] } } }));
      const both = (await c.get(`${path}?q=quarterly`)).body;
      assert.deepEqual(ids(both), ['direct', 'in-other'], both);
      // Without a session the page asks to sign in first.
      const stranger = new ConsoleClient(server.url);
      assert.equal((await stranger.get(path)).status, 303);
    });
  });
}

describeOrSkip('web console in open mode on loopback', {}, () => {
  let store: TestStore;
  let server: TestServer;
  before(async () => {
    store = await TestStore.create('sqlite');
    server = await TestServer.start(store);
  });
  after(async () => {
    await server?.stop();
    await store?.destroy();
  });

  test('pages open without sign-in; the session cookie still carries the CSRF binding', async () => {
    const c = new ConsoleClient(server.url);
    const home = await c.get('/console');
    assert.equal(home.status, 200);
    assert.match(home.body, /open mode \(account 000000000000\) · us-east-1/);
    assert.notEqual(c.cookie, '');
    assert.equal((await c.get('/console/login')).status, 303);
    assert.equal((await c.post('/console/region', { region: 'eu-west-1' })).status, 403);
    assert.equal((await c.post('/console/region', { region: 'eu-west-1', csrf: ConsoleClient.csrf(home.body) })).status, 303);
    assert.match((await c.get('/console')).body, /· eu-west-1/);
    const asset = await fetch(`${server.url}/console/assets/uplot.js`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await c.get('/console/assets/nothing.js')).status, 404);
  });
});
