import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateDataSourceCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  UpdateDataSourceCommand,
  type KendraClient,
  type TemplateConfiguration,
} from '@aws-sdk/client-kendra';
import { makeCorruptPdf, makePdf } from './support/corpus.js';
import { activeIndex, jobOf, rejectsWith, ROLE } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { actions, activeDataSource, FORMAT_WORDS, folderTemplate, formatCorpus, IndexTables, metrics, report, syncToEnd, TERMINAL } from './support/sync.js';

function write(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** Retries a sync start while the data source is still UPDATING after UpdateDataSource. */
async function syncAfterUpdate(k: KendraClient, indexId: string, ds: string) {
  for (;;) {
    try {
      return await syncToEnd(k, indexId, ds);
    } catch (e) {
      if ((e as Error).name !== 'ConflictException') throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

for (const backend of backends()) {
  describeOrSkip(`local folder connector (FILESYSTEM template) [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let tables: IndexTables;
    let indexId: string;
    let allowed: string;
    let outside: string;
    before(async () => {
      const base = mkdtempSync(path.join(tmpdir(), 'kendrite-folders-'));
      allowed = path.join(base, 'allowed');
      outside = path.join(base, 'outside');
      write(path.join(outside, 'secret.txt'), 'The secretwordoutside must never be indexed.');
      mkdirSync(allowed);
      store = await TestStore.create(backend.name);
      // One document at a time, so that the long sync below is long enough to be stopped.
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [allowed] }, sync: { fetchConcurrency: 1 } } });
      k = server.client();
      indexId = await activeIndex(k);
      tables = await IndexTables.open(store);
    });
    after(async () => {
      await tables?.close();
      await server?.stop();
      await store?.destroy();
      rmSync(path.dirname(allowed), { recursive: true, force: true });
    });

    test('a folder: first sync, changes, a sync with no change, FORCED_FULL_CRAWL; links refused; text of every format findable', async () => {
      const root = path.join(allowed, 'corpus');
      const formats = await formatCorpus();
      for (const [name, bytes] of Object.entries(formats)) write(path.join(root, name), bytes);
      write(path.join(root, 'corrupt.pdf'), makeCorruptPdf());
      write(path.join(root, 'huge.txt'), 'too big '.repeat(30_000)); // 240 KB, over maxFileSizeInMegaBytes 0.2
      write(path.join(root, 'with-meta.txt'), 'A file whose side file names it.');
      write(path.join(root, 'with-meta.txt.metadata.json'), JSON.stringify({ DocumentId: 'folder-custom-1', Title: 'Side Title', Attributes: { team: 'search' } }));
      write(path.join(root, 'bad-meta.txt'), 'A file whose side file is broken.');
      write(path.join(root, 'bad-meta.txt.metadata.json'), '{"Title": ');
      write(path.join(root, 'sub/deep/nested.txt'), 'A nested file about the capybaranested.');
      write(path.join(root, 'node_modules/pkg/index.txt'), 'excluded by node_modules/*');
      write(path.join(root, 'scratch.tmp'), 'excluded by *.tmp');
      // Links are never followed, wherever they point: reported as failed documents.
      symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link-to-secret.txt'));
      symlinkSync(outside, path.join(root, 'linked-dir'));
      symlinkSync(path.join(root, 'plain.txt'), path.join(root, 'inside-link.txt'));

      const template = (syncMode: string) => folderTemplate(root, { exclusionPatterns: ['node_modules/*', '*.tmp'], maxFileSizeInMegaBytes: '0.2', syncMode });
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'corpus', Type: 'TEMPLATE', Configuration: template('FULL_CRAWL') });
      const rel = root + '/';

      const job1 = await syncToEnd(k, indexId, ds);
      assert.equal(job1.Status, 'INCOMPLETE', job1.ErrorMessage);
      assert.deepEqual(metrics(job1), { scanned: '19', added: '13', modified: '0', deleted: '0', failed: '6' });
      const r1 = await report(server, job1.ExecutionId!);
      assert.deepEqual(r1.timeline, ['SYNCING', 'SYNCING_INDEXING', 'INCOMPLETE']);
      const failed = Object.fromEntries(r1.items.filter((i) => i.Action === 'FAILED').map((i) => [i.DocumentId.slice(rel.length), i.Reason!]));
      assert.deepEqual(Object.keys(failed).sort(), ['bad-meta.txt', 'corrupt.pdf', 'huge.txt', 'inside-link.txt', 'link-to-secret.txt', 'linked-dir']);
      for (const link of ['inside-link.txt', 'link-to-secret.txt', 'linked-dir']) assert.match(failed[link]!, /is a symbolic link; kendrite does not follow links/);
      assert.match(failed['bad-meta.txt']!, /metadata file .*bad-meta\.txt\.metadata\.json is not valid UTF-8 JSON/);
      assert.match(failed['huge.txt']!, /is 240000 bytes, over the limit of 209715 bytes/);
      assert.match(failed['corrupt.pdf']!, /PDF/);
      assert.deepEqual(actions(r1.items.filter((i) => i.Action === 'ADDED'), rel), [
        ...Object.keys(formats).map((n) => `ADDED ${n}`), 'ADDED folder-custom-1', 'ADDED sub/deep/nested.txt',
      ].sort());
      for (const [name, word] of Object.entries(FORMAT_WORDS)) assert.deepEqual(await tables.search(indexId, word), [path.join(root, name)], `${name} (${word})`);
      assert.deepEqual(await tables.search(indexId, 'capybaranested'), [path.join(root, 'sub/deep/nested.txt')]);
      assert.deepEqual(await tables.search(indexId, 'secretwordoutside'), []);
      const docs = Object.fromEntries((await tables.documents(ds)).map((d) => [d.document_id, d]));
      assert.equal(docs['folder-custom-1']!.title, 'Side Title');
      assert.equal(docs[path.join(root, 'plain.txt')]!.title, 'plain.txt');
      assert.equal(docs[path.join(root, 'link-to-secret.txt')]!.status, 'FAILED');
      assert.equal(docs[path.join(root, 'link-to-secret.txt')]!.body, '');

      // Second sync: one file rewritten, one touched with the same content, one side file changed,
      // two deleted, two added.
      write(path.join(root, 'plain.txt'), 'A plain text file, rewritten about the quokkachanged.\n');
      const later = new Date(Date.now() + 60_000);
      utimesSync(path.join(root, 'notes.md'), later, later);
      write(path.join(root, 'with-meta.txt.metadata.json'), JSON.stringify({ DocumentId: 'folder-custom-1', Title: 'Renamed Title' }));
      unlinkSync(path.join(root, 'deck.pptx'));
      unlinkSync(path.join(root, 'table.csv'));
      write(path.join(root, 'new1.txt'), 'new document one');
      write(path.join(root, 'sub/new2.md'), '# new document two');
      const job2 = await syncToEnd(k, indexId, ds);
      assert.equal(job2.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job2), { scanned: '19', added: '2', modified: '2', deleted: '2', failed: '6' });
      assert.deepEqual(actions((await report(server, job2.ExecutionId!)).items.filter((i) => i.Action !== 'FAILED'), rel), [
        'ADDED new1.txt', 'ADDED sub/new2.md', 'DELETED deck.pptx', 'DELETED table.csv', 'MODIFIED folder-custom-1', 'MODIFIED plain.txt',
      ]);
      assert.deepEqual(await tables.search(indexId, 'quokkachanged'), [path.join(root, 'plain.txt')]);

      // Third sync, nothing changed.
      const job3 = await syncToEnd(k, indexId, ds);
      assert.deepEqual(metrics(job3), { scanned: '19', added: '0', modified: '0', deleted: '0', failed: '6' });

      // FORCED_FULL_CRAWL: every indexed document re-indexed, counted as modified.
      await k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: ds, RoleArn: ROLE, Configuration: template('FORCED_FULL_CRAWL') }));
      const job4 = await syncAfterUpdate(k, indexId, ds);
      assert.deepEqual(metrics(job4), { scanned: '19', added: '0', modified: '13', deleted: '0', failed: '6' });
      assert.equal((await tables.documents(ds)).length, 19);
    });

    test('folders outside the allowed roots, escapes through .. or a link, and a missing folder: FAILED, InvalidRequest', async () => {
      symlinkSync(outside, path.join(allowed, 'escape-link'));
      const cases: [string, string, RegExp, string | undefined][] = [
        ['outside', outside, /is outside the folders kendrite may read/, undefined],
        ['dotdot', `${allowed}/../outside`, /is outside the folders kendrite may read/, undefined],
        ['link', path.join(allowed, 'escape-link'), /is outside the folders kendrite may read/, undefined],
        ['missing', path.join(allowed, 'missing'), /does not exist/, 'ENOENT'],
      ];
      for (const [name, dir, message, code] of cases) {
        const ds = await activeDataSource(k, { IndexId: indexId, Name: `refused-${name}`, Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
        const job = await syncToEnd(k, indexId, ds);
        assert.equal(job.Status, 'FAILED', name);
        assert.equal(job.ErrorCode, 'InvalidRequest', name);
        assert.match(job.ErrorMessage!, message, name);
        assert.equal(job.DataSourceErrorCode, code, name);
        assert.deepEqual(metrics(job), { scanned: '0', added: '0', modified: '0', deleted: '0', failed: '0' }, name);
      }
      assert.deepEqual(await tables.search(indexId, 'secretwordoutside'), []);
    });

    test('a malformed FILESYSTEM template is refused with ValidationException', async () => {
      const good = folderTemplate(allowed).TemplateConfiguration.Template;
      const bad: NonNullable<TemplateConfiguration['Template']>[] = [
        { ...good, connectionConfiguration: { repositoryEndpointMetadata: { path: 'relative/dir' } } },
        { ...good, connectionConfiguration: {} },
        { ...good, syncMode: 'CHANGE_LOG' },
        { ...good, additionalProperties: { maxFileSizeInMegaBytes: 'lots' } },
        { ...good, additionalProperties: { exclusionPatterns: [3] } },
      ];
      for (const [i, Template] of bad.entries())
        await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: `bad-${i}`, Type: 'TEMPLATE', RoleArn: ROLE, Configuration: { TemplateConfiguration: { Template } } })), 'ValidationException');
    });

    test('a TEMPLATE of a type kendrite has no connector for: the sync FAILED, InvalidRequest, saying so', async () => {
      const Template = { type: 'CONFLUENCE', connectionConfiguration: { repositoryEndpointMetadata: { hostUrl: 'https://wiki.example.com' } } };
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'confluence', Type: 'TEMPLATE', Configuration: { TemplateConfiguration: { Template } } });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'FAILED');
      assert.equal(job.ErrorCode, 'InvalidRequest');
      assert.match(job.ErrorMessage!, /no connector for data source type TEMPLATE\/CONFLUENCE; the types it syncs are S3 /);
    });

    test('a hard link inside the folder to a file outside it is refused (a failed document naming folders.allowHardLinks), its text never indexed', async () => {
      const root = path.join(allowed, 'hard');
      write(path.join(root, 'plain.txt'), 'an ordinary file about the wombathard');
      linkSync(path.join(outside, 'secret.txt'), path.join(root, 'linked-secret.txt'));
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'hard', Type: 'TEMPLATE', Configuration: folderTemplate(root) });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job), { scanned: '2', added: '1', modified: '0', deleted: '0', failed: '1' });
      const failed = (await report(server, job.ExecutionId!)).items.filter((i) => i.Action === 'FAILED');
      assert.deepEqual(failed.map((i) => i.DocumentId), [path.join(root, 'linked-secret.txt')]);
      assert.match(failed[0]!.Reason!, /has more than one hard link; .*folders\.allowHardLinks/);
      assert.deepEqual(await tables.search(indexId, 'secretwordoutside'), []);
      assert.deepEqual(await tables.search(indexId, 'wombathard'), [path.join(root, 'plain.txt')]);
    });

    test('overlapping folders: a document belongs to the data source that indexed it first; the other fails it naming the owner, and neither deletes the other\'s', async () => {
      const root = path.join(allowed, 'overlap');
      write(path.join(root, 'a.txt'), 'document a');
      write(path.join(root, 'sub/b.txt'), 'document b');
      const outer = await activeDataSource(k, { IndexId: indexId, Name: 'overlap-outer', Type: 'TEMPLATE', Configuration: folderTemplate(root) });
      const inner = await activeDataSource(k, { IndexId: indexId, Name: 'overlap-inner', Type: 'TEMPLATE', Configuration: folderTemplate(path.join(root, 'sub')) });
      const ids = async (ds: string) => (await tables.documents(ds)).map((d) => d.document_id.slice(root.length + 1));
      const failedIn = async (executionId: string) =>
        (await report(server, executionId)).items.filter((i) => i.Action === 'FAILED').map((i) => [i.DocumentId.slice(root.length + 1), i.Reason]);
      const owned = (owner: string) => `already indexed by data source ${owner} of this index, which keeps it (a document belongs to one data source; these overlap)`;

      assert.deepEqual(metrics(await syncToEnd(k, indexId, outer)), { scanned: '2', added: '2', modified: '0', deleted: '0', failed: '0' });
      write(path.join(root, 'sub/d.txt'), 'document d');
      const innerJob = await syncToEnd(k, indexId, inner);
      assert.equal(innerJob.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(innerJob), { scanned: '2', added: '1', modified: '0', deleted: '0', failed: '1' });
      assert.deepEqual(await failedIn(innerJob.ExecutionId!), [['sub/b.txt', owned(outer)]]);
      const outerJob = await syncToEnd(k, indexId, outer);
      assert.deepEqual(metrics(outerJob), { scanned: '3', added: '0', modified: '0', deleted: '0', failed: '1' });
      assert.deepEqual(await failedIn(outerJob.ExecutionId!), [['sub/d.txt', owned(inner)]]);
      assert.deepEqual(await ids(outer), ['a.txt', 'sub/b.txt']);
      assert.deepEqual(await ids(inner), ['sub/d.txt']);

      // b leaves the disk: only its owner deletes it; d stays the inner source's.
      unlinkSync(path.join(root, 'sub/b.txt'));
      assert.deepEqual(metrics(await syncToEnd(k, indexId, inner)), { scanned: '1', added: '0', modified: '0', deleted: '0', failed: '0' });
      assert.deepEqual(metrics(await syncToEnd(k, indexId, outer)), { scanned: '2', added: '0', modified: '0', deleted: '1', failed: '1' });
      assert.deepEqual(await ids(outer), ['a.txt']);
      assert.deepEqual(await ids(inner), ['sub/d.txt']);
    });

    test('D-7: patterns that made a regular expression backtrack (`*a*a*a*a*a*a*a*a*a*a*b`) over long names: a stop ends ABORTED, the next sync counts exactly', async () => {
      const root = path.join(allowed, 'backtracking');
      // Enough that the stop lands mid-sync (as S-JOB-2's 400): at 60 a sync on an idle machine wrote them all first.
      const N = 400;
      const long = 'a'.repeat(150);
      for (let i = 0; i < N; i++) write(path.join(root, `${long}${i}.pdf`), makePdf(`Backtracking document ${i}.\n${'Text of the page. '.repeat(40)}`, { linesPerPage: 1 }));
      for (let i = 0; i < 7; i++) write(path.join(root, `${long}${i}b`), 'excluded: ends in b');
      write(path.join(root, 'short.pdf'), makePdf('not included: too few a'));
      const rules = { inclusionPatterns: ['*a*a*a*a*a*a*a*a*a*a*.pdf'], exclusionPatterns: ['*a*a*a*a*a*a*a*a*a*a*b'] };
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'backtracking', Type: 'TEMPLATE', Configuration: folderTemplate(root, rules) });
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      await waitFor('first documents committed', async () => {
        const j = await jobOf(k, indexId, ds, ExecutionId!);
        return j && Number(j.Metrics!.DocumentsAdded) > 0 ? j : undefined;
      }, 30_000);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const stopped = await waitFor('ABORTED', async () => {
        const j = await jobOf(k, indexId, ds, ExecutionId!);
        return j && TERMINAL.includes(j.Status!) ? j : undefined;
      }, 5000);
      assert.equal(stopped.Status, 'ABORTED');
      const committed = Number(stopped.Metrics!.DocumentsAdded);
      const next = await syncToEnd(k, indexId, ds);
      assert.equal(next.Status, 'SUCCEEDED');
      assert.deepEqual(metrics(next), { scanned: String(N), added: String(N - committed), modified: '0', deleted: '0', failed: '0' });
      assert.equal((await tables.documents(ds)).length, N);
    });

    test('S-JOB-2: a stop during a long sync → STOPPING → ABORTED within 2 s; committed documents stay; the next sync completes exactly', async (t) => {
      const root = path.join(allowed, 'long');
      const N = 400;
      for (let i = 0; i < N; i++) write(path.join(root, `d${String(i).padStart(4, '0')}.pdf`), makePdf(`Long document ${i}.\n${'Some more text on this page. '.repeat(40)}`, { linesPerPage: 1 }));
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'long', Type: 'TEMPLATE', Configuration: folderTemplate(root) });
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      // Live metrics (S-JOB-4): progress shows while the job is still SYNCING.
      const progressing = await waitFor('first documents committed', async () => {
        const j = await jobOf(k, indexId, ds, ExecutionId!);
        return j && Number(j.Metrics!.DocumentsAdded) > 0 ? j : undefined;
      }, 60_000);
      assert.equal(progressing.Status, 'SYNCING');
      const stopAt = Date.now();
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      assert.ok(['STOPPING', 'ABORTED'].includes((await jobOf(k, indexId, ds, ExecutionId!))!.Status!));
      const aborted = await waitFor('ABORTED within 2 s', async () => {
        const j = await jobOf(k, indexId, ds, ExecutionId!);
        return j && TERMINAL.includes(j.Status!) ? j : undefined;
      }, 2000);
      t.diagnostic(`stop took ${Date.now() - stopAt} ms; ${aborted.Metrics!.DocumentsAdded} of ${N} documents were committed`);
      assert.equal(aborted.Status, 'ABORTED');
      assert.deepEqual((await report(server, ExecutionId!)).timeline, ['SYNCING', 'STOPPING', 'ABORTED']);
      const committed = Number(aborted.Metrics!.DocumentsAdded);
      assert.ok(committed > 0 && committed < N, `${committed} committed of ${N}`);
      assert.equal((await tables.documents(ds)).length, committed, 'the index holds what the metrics counted');

      const next = await syncToEnd(k, indexId, ds);
      assert.equal(next.Status, 'SUCCEEDED');
      assert.deepEqual(metrics(next), { scanned: String(N), added: String(N - committed), modified: '0', deleted: '0', failed: '0' });
      assert.equal((await tables.documents(ds)).length, N);
    });
  });
}
