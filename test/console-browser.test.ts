/**
 * The web console driven in a real headless Chromium (Debian's package, driven by playwright-core;
 * no browser is downloaded): sign in, open a data source, watch a running sync's numbers rise, open
 * a failed document's reason, search as a user. Screenshots go to test-artifacts/console/, and each
 * page passes axe-core with no serious or critical violation.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BatchPutDocumentCommand, ListDataSourceSyncJobsCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { putIndexed } from './support/acl.js';
import { CREDENTIALS, jobDocument } from './support/console.js';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore } from './support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/console');
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const XSS = '<script>alert("owned")</script> Launch plan';

/** axe-core's serious and critical violations on the page, as "rule: n nodes". */
async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))`)) as { id: string; impact: string; nodes: number }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes} nodes`);
}

for (const backend of backends()) {
  const skip = backend.skip ?? (existsSync(CHROMIUM) ? undefined : `skipped: ${CHROMIUM} not installed (apt-get install chromium)`);
  describeOrSkip(`web console in headless Chromium [${backend.name}]`, { skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let context: BrowserContext;
    let page: Page;
    let profile: string;
    let indexId: string;
    let ds: string;
    const dialogs: string[] = [];
    const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${backend.name}-${name}.png`), fullPage: true });
    const checkA11y = async (where: string) => assert.deepEqual(await axeProblems(page), [], `axe on ${where}`);

    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { config: { credentials: CREDENTIALS } });
      k = server.client(CREDENTIALS[0]!);
      indexId = await activeIndex(k, 'handbook');
      ds = await activeCustomDataSource(k, indexId, 'manuals');
      // An earlier run, so that the charts have two points once the watched run ends.
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [0, 1, 2].map((i) => jobDocument(`early-${i}`, `early page ${i}`, ds, ExecutionId!)) }));
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      await jobReaching(k, indexId, ds, ExecutionId!, ['SUCCEEDED']);
      await putIndexed(k, indexId, [
        { Id: 'plan-public', Title: 'Launch plan (public)', Blob: Buffer.from('The launch plan for everyone.'), ContentType: 'PLAIN_TEXT' },
        { Id: 'plan-secret', Title: 'Launch plan (secret)', Blob: Buffer.from('The secret launch plan.'), ContentType: 'PLAIN_TEXT', AccessControlList: [{ Name: 'alice', Type: 'USER', Access: 'ALLOW' }] },
        { Id: 'plan-xss', Title: XSS, Blob: Buffer.from('A launch plan with a hostile title.'), ContentType: 'PLAIN_TEXT' },
      ]);
      profile = mkdtempSync(path.join(tmpdir(), 'kendrite-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: { width: 1200, height: 800 },
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    });
    after(async () => {
      await context?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
      await server?.stop();
      await store?.destroy();
    });

    test('sign in with an access key', async () => {
      await page.goto(`${server.url}/console`);
      assert.equal(new URL(page.url()).pathname, '/console/login');
      await checkA11y('the sign-in page');
      await page.getByLabel('Access key id').fill('AKIDCONSOLE');
      await page.getByLabel('Secret access key').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await page.getByRole('alert').textContent(), 'Unknown access key id or wrong secret.');
      await page.getByLabel('Access key id').fill('AKIDCONSOLE');
      await page.getByLabel('Secret access key').fill('console-secret');
      await shot('01-sign-in');
      // By keyboard: Enter in the form submits it.
      await page.getByLabel('Secret access key').press('Enter');
      await page.waitForURL(`${server.url}/console`);
      assert.equal(await page.getByRole('link', { name: 'handbook' }).count(), 1);
      await shot('02-indices');
      await checkA11y('the indices page');
    });

    test('open a data source and watch a running sync: its numbers rise as documents arrive', async () => {
      await page.getByRole('link', { name: 'handbook' }).click();
      await checkA11y('the index page');
      await page.getByRole('link', { name: 'manuals' }).first().click();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'manuals');
      await page.getByRole('button', { name: 'Start sync' }).click();
      assert.equal(await page.getByRole('status').textContent(), 'Sync started.');
      const live = page.locator('#live');
      await live.locator('[data-k=Status]', { hasText: 'SYNCING' }).waitFor();
      const jobs = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }));
      const job = jobs.History!.find((j) => j.Status === 'SYNCING')!.ExecutionId!;

      const seen: string[] = [];
      for (let batch = 0; batch < 4; batch++) {
        const docs = Array.from({ length: 5 }, (_, i) => jobDocument(`page-${batch}-${i}`, `manual page ${batch} ${i}`, ds, job));
        if (batch === 2) docs.push(jobDocument('broken.json', '{"pages": [1, 2', ds, job, { ContentType: 'JSON' }));
        await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: docs }));
        const expected = String((batch + 1) * 5);
        await live.locator('[data-k=Added]', { hasText: new RegExp(`^${expected}$`) }).waitFor({ timeout: 20_000 });
        seen.push(await live.locator('[data-k=Added]').innerText());
        if (batch === 2) {
          await live.locator('[data-k=Failed]', { hasText: /^1$/ }).waitFor({ timeout: 20_000 });
          await shot('03-live-progress');
          await checkA11y('the data source page while a job runs');
        }
      }
      assert.deepEqual(seen, ['5', '10', '15', '20']);
      assert.equal(await page.locator(`#job-${job} [data-k=Added]`).innerText(), '20');
      await page.getByRole('button', { name: 'Stop sync' }).click();
      assert.equal(await page.getByRole('status').textContent(), 'Stop requested: the job ends after its current batch.');
      await page.locator(`#job-${job} [data-k=Status]`, { hasText: 'INCOMPLETE' }).waitFor({ timeout: 30_000 });
      assert.equal(await page.locator(`#job-${job} [data-k=Failed]`).innerText(), '1');
      // Both charts drawn, from both finished runs.
      await page.locator('#chart-docs canvas').waitFor();
      await page.locator('#chart-duration canvas').waitFor();
      await shot('04-history-and-charts');
    });

    test('open a failed document\'s reason in the job\'s report', async () => {
      const rows = page.locator('table tbody tr');
      await page.getByRole('link', { name: /^Report of the job/ }).first().click();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sync job report');
      assert.equal(await rows.count(), 21);
      await page.getByLabel('Action').selectOption('FAILED');
      await page.getByRole('button', { name: 'Filter' }).click();
      assert.equal(await rows.count(), 1);
      assert.equal(await rows.first().locator('td').first().innerText(), 'broken.json');
      const reason = rows.first().locator('.reason');
      assert.equal(await reason.isVisible(), false);
      await page.locator('summary', { hasText: 'Reason' }).focus();
      await page.keyboard.press('Enter');
      assert.equal(await reason.isVisible(), true);
      assert.match(await reason.innerText(), /JSON/);
      await shot('05-report-failed-reason');
      await checkA11y('the report page');
    });

    test('search as a user: the document only alice may see is hers alone; a hostile title stays text', async () => {
      await page.goto(`${server.url}/console/indices/${indexId}`);
      await page.getByRole('link', { name: 'Search this index' }).click();
      const titles = () => page.locator('article.result h3').allInnerTexts();
      await page.getByLabel('Search for').fill('launch plan');
      await page.getByLabel('As user id').fill('bob');
      await page.getByRole('button', { name: 'Search' }).click();
      assert.deepEqual((await titles()).sort(), [XSS, 'Launch plan (public)'].sort());
      await shot('06-search-as-bob');
      await page.getByLabel('As user id').fill('alice');
      await page.getByRole('button', { name: 'Search' }).click();
      assert.deepEqual((await titles()).sort(), [XSS, 'Launch plan (public)', 'Launch plan (secret)'].sort());
      assert.ok((await page.locator('article.result mark').count()) >= 3);
      assert.equal(await page.getByRole('heading', { level: 2, name: '3 results' }).count(), 1);
      await shot('07-search-as-alice');
      // A facet value filters by that attribute; the filter is listed and can be removed.
      await page.getByRole('link', { name: 'PLAIN_TEXT' }).click();
      assert.equal(new URL(page.url()).searchParams.get('f'), '_file_type=PLAIN_TEXT');
      assert.equal(await page.getByRole('link', { name: 'Remove filter _file_type = PLAIN_TEXT' }).count(), 1);
      assert.equal((await titles()).length, 3);
      await checkA11y('the search page');
      assert.deepEqual(dialogs, [], 'no script from a document ran');
      assert.equal(await page.locator('script:not([src])').count(), 0);

      // A phone's width: the history table scrolls inside its box, the page does not.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${server.url}/console/indices/${indexId}/data-sources/${ds}`);
      await page.locator('#chart-docs canvas').waitFor();
      assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
      await shot('08-phone-data-source');
      await checkA11y('the data source page on a phone');
    });
  });
}
