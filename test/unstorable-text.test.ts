// Text PostgreSQL cannot store (U+0000, unpaired surrogates) is stored with U+FFFD in its place, on
// both backends alike; and a document the database refuses to write fails alone, with the
// database's reason, never holding back the rest of its batch or its job.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  QueryCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type Document,
  type DocumentAttribute,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { type Backend, backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { execSql } from './support/sql.js';
import { activeDataSource, folderTemplate, IndexTables, metrics, report, syncToEnd, TERMINAL } from './support/sync.js';

const R = '\uFFFD';

/** Makes the database itself refuse to write a document titled 'poison': a write failure no input check can foresee. */
function refusePoison(backend: Backend['name']) {
  if (backend === 'sqlite')
    return ['INSERT', 'UPDATE'].map((ev) => ({ sql: `CREATE TRIGGER refuse_poison_${ev} BEFORE ${ev} ON documents WHEN new.title = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, params: [] }));
  return [
    { sql: `CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.title = 'poison' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`, params: [] },
    { sql: 'CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION refuse_poison()', params: [] },
  ];
}

for (const backend of backends()) {
  describeOrSkip(`text the database cannot store; documents it refuses [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let tables: IndexTables;
    let indexId: string;
    let root: string;
    before(async () => {
      root = mkdtempSync(path.join(tmpdir(), 'kendrite-unstorable-'));
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [root] } } });
      k = server.client();
      indexId = await activeIndex(k);
      tables = await IndexTables.open(store);
    });
    after(async () => {
      await tables?.close();
      await server?.stop();
      await store?.destroy();
      rmSync(root, { recursive: true, force: true });
    });

    const status = async (ids: string[]) =>
      Object.fromEntries(
        (await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: ids.map((DocumentId) => ({ DocumentId })) }))).DocumentStatusList!.map((d) => [d.DocumentId!, d]),
      );
    const found = async (input: { QueryText?: string; AttributeFilter?: object }) =>
      (await k.send(new QueryCommand({ IndexId: indexId, ...input }))).ResultItems!.map((r) => r.DocumentId).sort();

    test('BatchPutDocument: U+0000 and unpaired surrogates in title, attributes and text are stored as U+FFFD; the job ends with exact counts', async () => {
      const ds = await activeCustomDataSource(k, indexId, 'nul-custom');
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const routing: DocumentAttribute[] = [
        { Key: '_data_source_id', Value: { StringValue: ds } },
        { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
      ];
      const doc = (Id: string, text: string, extra: Partial<Document> = {}): Document => ({ Id, Blob: Buffer.from(text), ContentType: 'PLAIN_TEXT', Title: Id, ...extra, Attributes: [...routing, ...(extra.Attributes ?? [])] });
      const Documents = [
        doc('nul-title', 'the first text', { Title: 'Quarterly\u0000zebrareport' }),
        doc('nul-attribute', 'the second text', { Attributes: [{ Key: 'team', Value: { StringValue: 'red\u0000blue' } }, { Key: 'labels', Value: { StringListValue: ['x\u0000y', 'plain'] } }] }),
        // Text with a NUL byte is refused as binary; JSON escapes put U+0000 and lone surrogates in extracted text.
        doc('nul-body', JSON.stringify({ text: 'okapiword\u0000gazelleword' }), { ContentType: 'JSON' }),
        doc('surrogate', JSON.stringify({ text: 'a lone \ud800 half' }), { Title: 'half \udc00 pair', ContentType: 'JSON' }),
        doc('plain', 'nothing unusual here'),
      ];
      const put = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }));
      assert.deepEqual(put.FailedDocuments, []);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const job = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL);
      assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
      assert.deepEqual(metrics(job), { scanned: undefined, added: '5', modified: '0', deleted: '0', failed: '0' });
      const st = await status(Documents.map((d) => d.Id!));
      for (const d of Documents) assert.equal(st[d.Id!]!.DocumentStatus, 'INDEXED', d.Id);

      const stored = Object.fromEntries((await tables.documents(ds)).map((d) => [d.document_id, d]));
      assert.equal(stored['nul-title']!.title, `Quarterly${R}zebrareport`);
      assert.ok(stored['nul-body']!.body.includes(`okapiword${R}gazelleword`), stored['nul-body']!.body);
      assert.equal(stored['surrogate']!.title, `half ${R} pair`);
      assert.ok(stored['surrogate']!.body.includes(`a lone ${R} half`), stored['surrogate']!.body);
      // The replacement keeps the words on either side apart, on both backends.
      assert.deepEqual(await found({ QueryText: 'gazelleword' }), ['nul-body']);
      assert.deepEqual(await found({ QueryText: 'okapiword' }), ['nul-body']);
      assert.deepEqual(await found({ QueryText: 'zebrareport' }), ['nul-title']);
      // Query text and filter values are normalised the same way, so what was sent finds what was stored.
      assert.deepEqual(await found({ QueryText: 'Quarterly\u0000zebrareport' }), ['nul-title']);
      assert.deepEqual(await found({ AttributeFilter: { EqualsTo: { Key: 'team', Value: { StringValue: 'red\u0000blue' } } } }), ['nul-attribute']);
      assert.deepEqual(await found({ AttributeFilter: { ContainsAny: { Key: 'labels', Value: { StringListValue: ['x\u0000y'] } } } }), ['nul-attribute']);
      const attrs = (await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'second' }))).ResultItems![0]!.DocumentAttributes!;
      assert.deepEqual(attrs.find((a) => a.Key === 'team')!.Value, { StringValue: `red${R}blue` });
    });

    test('a folder with U+0000 in a file, its side file title and attribute: every sync succeeds', async () => {
      const dir = path.join(root, 'nul-folder');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'body.json'), JSON.stringify({ text: 'capybaraword\u0000tapirword' }));
      writeFileSync(path.join(dir, 'meta.txt'), 'a file with a side file');
      writeFileSync(path.join(dir, 'meta.txt.metadata.json'), JSON.stringify({ Title: 'side\u0000title', Attributes: { team: 'a\u0000b', labels: ['c\u0000d'] } }));
      writeFileSync(path.join(dir, 'bad-id.txt'), 'a file whose side file gives an id that cannot be stored');
      writeFileSync(path.join(dir, 'bad-id.txt.metadata.json'), JSON.stringify({ DocumentId: 'id\u0000with-nul' }));
      writeFileSync(path.join(dir, 'plain.txt'), 'plain');
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'nul-folder', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      const first = await syncToEnd(k, indexId, ds);
      assert.equal(first.Status, 'INCOMPLETE', first.ErrorMessage);
      assert.deepEqual(metrics(first), { scanned: '4', added: '3', modified: '0', deleted: '0', failed: '1' });
      const failed = (await report(server, first.ExecutionId!)).items.filter((i) => i.Action === 'FAILED');
      assert.deepEqual(failed.map((i) => i.DocumentId), [path.join(dir, 'bad-id.txt')]);
      assert.match(failed[0]!.Reason!, /DocumentId must not contain U\+0000 or unpaired surrogate characters/);
      const stored = Object.fromEntries((await tables.documents(ds)).map((d) => [d.document_id, d]));
      assert.ok(stored[path.join(dir, 'body.json')]!.body.includes(`capybaraword${R}tapirword`));
      assert.equal(stored[path.join(dir, 'meta.txt')]!.title, `side${R}title`);
      assert.deepEqual(await found({ QueryText: 'tapirword' }), [path.join(dir, 'body.json')]);
      // The next sync is not held back either: nothing changed, nothing written.
      const second = await syncToEnd(k, indexId, ds);
      assert.equal(second.Status, 'INCOMPLETE', second.ErrorMessage);
      assert.deepEqual(metrics(second), { scanned: '4', added: '0', modified: '0', deleted: '0', failed: '1' });
    });

    test('a document the database refuses fails alone, with its reason; the rest of its batch is indexed and the job ends', async () => {
      await execSql(store, refusePoison(backend.name));
      const ds = await activeCustomDataSource(k, indexId, 'refused-custom');
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const Attributes = [
        { Key: '_data_source_id', Value: { StringValue: ds } },
        { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
      ];
      const ids = ['before', 'refused', 'after'];
      const Documents = ids.map((Id) => ({ Id, Title: Id === 'refused' ? 'poison' : Id, Blob: Buffer.from(`text of ${Id}`), ContentType: 'PLAIN_TEXT' as const, Attributes }));
      assert.deepEqual((await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }))).FailedDocuments, []);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const job = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL);
      assert.equal(job.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job), { scanned: undefined, added: '2', modified: '0', deleted: '0', failed: '1' });
      const st = await status(ids);
      assert.deepEqual(ids.map((id) => st[id]!.DocumentStatus), ['INDEXED', 'FAILED', 'INDEXED']);
      assert.match(st['refused']!.FailureReason!, /could not be stored: .*refused by the test/);
      const failed = (await report(server, ExecutionId!)).items.filter((i) => i.Action === 'FAILED');
      assert.deepEqual(failed.map((i) => i.DocumentId), ['refused']);

      // The same in a folder sync: the refused file fails, its neighbours are indexed.
      const dir = path.join(root, 'refused-folder');
      mkdirSync(dir);
      for (const name of ['a.txt', 'b.txt', 'c.txt']) writeFileSync(path.join(dir, name), `text of ${name}`);
      writeFileSync(path.join(dir, 'b.txt.metadata.json'), JSON.stringify({ Title: 'poison' }));
      const folder = await activeDataSource(k, { IndexId: indexId, Name: 'refused-folder', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      const sync = await syncToEnd(k, indexId, folder);
      assert.equal(sync.Status, 'INCOMPLETE', sync.ErrorMessage);
      assert.deepEqual(metrics(sync), { scanned: '3', added: '2', modified: '0', deleted: '0', failed: '1' });
      const lines = (await report(server, sync.ExecutionId!)).items;
      assert.deepEqual(lines.map((i) => `${i.Action} ${path.basename(i.DocumentId)}`).sort(), ['ADDED a.txt', 'ADDED c.txt', 'FAILED b.txt']);
      assert.match(lines.find((i) => i.Action === 'FAILED')!.Reason!, /could not be stored: .*refused by the test/);
    });
  });
}
