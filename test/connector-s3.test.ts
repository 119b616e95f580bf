import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateDataSourceCommand, QueryCommand, UpdateDataSourceCommand, type KendraClient, type TemplateConfiguration } from '@aws-sdk/client-kendra';
import { makeCorruptPdf } from './support/corpus.js';
import { activeIndex, rejectsWith, ROLE } from './support/kendra.js';
import { Bucket, Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { actions, activeDataSource, FORMAT_WORDS, formatCorpus, IndexTables, metrics, report, syncToEnd } from './support/sync.js';

/** Documents larger than this fail (kendrite's limits.maxDocumentBytes, set small for the test). */
const MAX_BYTES = 100_000;

let moto: Moto;
before(async () => {
  moto = await Moto.start();
});
after(async () => {
  await moto?.stop();
});

for (const backend of backends()) {
  describeOrSkip(`S3 connector against moto's S3 [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let tables: IndexTables;
    let indexId: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env, config: { limits: { maxDocumentBytes: MAX_BYTES } } });
      k = server.client();
      indexId = await activeIndex(k);
      tables = await IndexTables.open(store);
    });
    after(async () => {
      await tables?.close();
      await server?.stop();
      await store?.destroy();
    });

    test('a mixed corpus: first sync, changes, a sync with no change; text of every format findable', async () => {
      const bucket = await Bucket.create(moto.client(), `corpus-${backend.name}`);
      const uri = `s3://${bucket.name}/`;
      const formats = await formatCorpus();
      for (const [name, bytes] of Object.entries(formats)) await bucket.put(`docs/${name}`, bytes);
      await bucket.put('docs/corrupt.pdf', makeCorruptPdf());
      await bucket.put('docs/huge.txt', 'too big '.repeat(MAX_BYTES / 4));
      await bucket.put('docs/with-meta.txt', 'A document whose metadata names it.');
      await bucket.put('meta/docs/with-meta.txt.metadata.json', JSON.stringify({
        DocumentId: 'custom-id-1', Title: 'Custom Title',
        Attributes: { _category: 'guides', _created_at: '2024-01-02T03:04:05Z', team: 'search', priority: 3, tags: ['a', 'b'] },
      }));
      await bucket.put('docs/bad-meta.txt', 'A document whose metadata file is wrong.');
      await bucket.put('meta/docs/bad-meta.txt.metadata.json', JSON.stringify({ Attributes: { _created_at: 'yesterday' } }));
      // Beside its document, but metadata lives under S3Prefix here: ignored, and not a document either.
      await bucket.put('docs/plain.txt.metadata.json', JSON.stringify({ Title: 'Not used' }));
      await bucket.put('more/extra.txt', 'More text.');
      // Left out by the patterns and prefixes: never scanned.
      await bucket.put('docs/draft.tmp', 'excluded by *.tmp');
      await bucket.put('docs/private/secret.txt', 'excluded by docs/private/*');
      await bucket.put('more/skip.bin', 'not matched by any inclusion pattern');
      await bucket.put('outside/readme.txt', 'not under an inclusion prefix');

      const ds = await activeDataSource(k, {
        IndexId: indexId, Name: 'corpus', Type: 'S3',
        Configuration: {
          S3Configuration: {
            BucketName: bucket.name,
            InclusionPrefixes: ['docs/', 'more/'],
            InclusionPatterns: ['docs/*', 'more/*.txt'],
            ExclusionPatterns: ['*.tmp', 'docs/private/*'],
            DocumentsMetadataConfiguration: { S3Prefix: 'meta/' },
          },
        },
      });

      const job1 = await syncToEnd(k, indexId, ds);
      assert.equal(job1.Status, 'INCOMPLETE', job1.ErrorMessage);
      assert.deepEqual(metrics(job1), { scanned: '16', added: '13', modified: '0', deleted: '0', failed: '3' });
      const r1 = await report(server, job1.ExecutionId!);
      assert.deepEqual(r1.timeline, ['SYNCING', 'SYNCING_INDEXING', 'INCOMPLETE']);
      const failed1 = Object.fromEntries(r1.items.filter((i) => i.Action === 'FAILED').map((i) => [i.DocumentId.slice(uri.length), i.Reason]));
      assert.deepEqual(Object.keys(failed1).sort(), ['docs/bad-meta.txt', 'docs/corrupt.pdf', 'docs/huge.txt']);
      assert.match(failed1['docs/bad-meta.txt']!, /metadata file s3:\/\/\S+\/meta\/docs\/bad-meta\.txt\.metadata\.json: attribute _created_at must be an ISO 8601 date/);
      assert.match(failed1['docs/corrupt.pdf']!, /PDF/);
      assert.match(failed1['docs/huge.txt']!, new RegExp(`over the limit of ${MAX_BYTES} bytes`));
      assert.deepEqual(actions(r1.items.filter((i) => i.Action === 'ADDED'), uri), [
        ...Object.keys(formats).map((n) => `ADDED docs/${n}`), 'ADDED custom-id-1', 'ADDED more/extra.txt',
      ].sort());

      // The index: every format's text is found by its word, metadata applied, failures recorded.
      for (const [name, word] of Object.entries(FORMAT_WORDS)) assert.deepEqual(await tables.search(indexId, word), [`${uri}docs/${name}`], `${name} (${word})`);
      const docs = Object.fromEntries((await tables.documents(ds)).map((d) => [d.document_id, d]));
      assert.equal(Object.keys(docs).length, 16);
      assert.equal(docs['custom-id-1']!.title, 'Custom Title');
      assert.equal(docs[`${uri}docs/plain.txt`]!.title, 'plain.txt');
      assert.equal(docs[`${uri}docs/report.pdf`]!.title, 'The report');
      assert.equal(docs[`${uri}docs/corrupt.pdf`]!.status, 'FAILED');
      assert.equal(docs[`${uri}docs/huge.txt`]!.status, 'FAILED');

      // Second sync: 2 changed, the metadata of one changed, 2 deleted, 2 added, the rest untouched.
      await bucket.put('docs/plain.txt', 'A plain text file, rewritten about the quokkachanged.\n');
      await bucket.put('docs/notes.md', '# Notes\n\nRewritten.\n');
      await bucket.put('meta/docs/with-meta.txt.metadata.json', JSON.stringify({ DocumentId: 'custom-id-1', Title: 'Renamed Title' }));
      await bucket.delete('docs/deck.pptx');
      await bucket.delete('docs/table.csv');
      await bucket.put('docs/new1.txt', 'new document one');
      await bucket.put('more/new2.txt', 'new document two');
      const job2 = await syncToEnd(k, indexId, ds);
      assert.equal(job2.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job2), { scanned: '16', added: '2', modified: '3', deleted: '2', failed: '3' });
      const r2 = await report(server, job2.ExecutionId!);
      assert.deepEqual(actions(r2.items, uri), [
        'ADDED docs/new1.txt', 'ADDED more/new2.txt',
        'DELETED docs/deck.pptx', 'DELETED docs/table.csv',
        'FAILED docs/bad-meta.txt', 'FAILED docs/corrupt.pdf', 'FAILED docs/huge.txt',
        'MODIFIED custom-id-1', 'MODIFIED docs/notes.md', 'MODIFIED docs/plain.txt',
      ]);
      assert.deepEqual(await tables.search(indexId, 'quokkachanged'), [`${uri}docs/plain.txt`]);
      assert.deepEqual(await tables.search(indexId, FORMAT_WORDS['plain.txt']!), []);
      assert.deepEqual(await tables.search(indexId, FORMAT_WORDS['deck.pptx']!), []);
      assert.equal((await tables.documents(ds)).find((d) => d.document_id === 'custom-id-1')!.title, 'Renamed Title');

      // Third sync, nothing changed: only scanned (the failures are tried again, and fail again).
      const job3 = await syncToEnd(k, indexId, ds);
      assert.equal(job3.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job3), { scanned: '16', added: '0', modified: '0', deleted: '0', failed: '3' });
      assert.equal((await tables.documents(ds)).length, 16);
    });

    test('D-7: patterns that made a regular expression backtrack (`*a*a*a*a*a*a*a*a*a*a*b`) over long keys: the sync ends and counts exactly', async () => {
      const bucket = await Bucket.create(moto.client(), `backtracking-${backend.name}`);
      const long = 'a'.repeat(400);
      const keys = [
        ...Array.from({ length: 12 }, (_, i) => `p/${long}${i}.txt`), // included
        ...Array.from({ length: 5 }, (_, i) => `p/${long}${i}b`), // excluded: ends in b
        'p/short.txt', // too few a
      ];
      await Promise.all(keys.map((key) => bucket.put(key, `document ${key.length}`)));
      const ds = await activeDataSource(k, {
        IndexId: indexId, Name: 'backtracking', Type: 'S3',
        Configuration: { S3Configuration: { BucketName: bucket.name, InclusionPatterns: ['*a*a*a*a*a*a*a*a*a*a*.txt'], ExclusionPatterns: ['*a*a*a*a*a*a*a*a*a*a*b'] } },
      });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
      assert.deepEqual(metrics(job), { scanned: '12', added: '12', modified: '0', deleted: '0', failed: '0' });
      assert.equal((await tables.documents(ds)).length, 12);
    });

    test("Kendra's S3 template: FORCED_FULL_CRAWL re-indexes every document, counted as modified", async () => {
      const bucket = await Bucket.create(moto.client(), `template-${backend.name}`);
      for (let i = 0; i < 5; i++) await bucket.put(`t/doc${i}.txt`, `template document ${i}`);
      await bucket.put('t/skip.log', 'excluded');
      const template = (syncMode: string) => ({
        TemplateConfiguration: {
          Template: {
            type: 'S3', version: '1.0.0', syncMode, enableIdentityCrawler: false,
            connectionConfiguration: { repositoryEndpointMetadata: { BucketName: bucket.name } },
            repositoryConfigurations: { document: { fieldMappings: [] } },
            additionalProperties: { inclusionPrefixes: ['t/'], exclusionPatterns: ['*.log'], maxFileSizeInMegaBytes: '50' },
          },
        },
      });
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'template', Type: 'TEMPLATE', Configuration: template('FULL_CRAWL') });
      const job1 = await syncToEnd(k, indexId, ds);
      assert.equal(job1.Status, 'SUCCEEDED');
      assert.deepEqual(metrics(job1), { scanned: '5', added: '5', modified: '0', deleted: '0', failed: '0' });
      const again = await syncToEnd(k, indexId, ds);
      assert.deepEqual(metrics(again), { scanned: '5', added: '0', modified: '0', deleted: '0', failed: '0' });

      await k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: ds, Configuration: template('FORCED_FULL_CRAWL'), RoleArn: ROLE }));
      const forced = await (async () => {
        for (;;) {
          try {
            return await syncToEnd(k, indexId, ds);
          } catch (e) {
            if ((e as Error).name !== 'ConflictException') throw e; // still UPDATING
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      })();
      assert.equal(forced.Status, 'SUCCEEDED');
      assert.deepEqual(metrics(forced), { scanned: '5', added: '0', modified: '5', deleted: '0', failed: '0' });
    });

    test('listing pages and metadata files whose order differs from their documents (a, a-1, a.txt, a/b) pair up exactly', async () => {
      const bucket = await Bucket.create(moto.client(), `paging-${backend.name}`);
      const objects: [string, string][] = [];
      // 1,050 fillers: the documents span two ListObjectsV2 pages (1,000 keys each), metadata files too.
      for (let i = 0; i < 1050; i++) objects.push([`p/f${String(i).padStart(4, '0')}.txt`, `filler ${i}`]);
      for (const key of ['p/a', 'p/a-1', 'p/a.txt', 'p/a/b']) objects.push([key, `tricky ${key}`]);
      for (const key of ['p/a', 'p/a-1', 'p/a/b', 'p/f0999.txt', 'p/f1000.txt', 'p/gone.txt'])
        objects.push([`m/${key}.metadata.json`, JSON.stringify({ Title: `Title of ${key}` })]);
      for (let i = 0; i < objects.length; i += 32) await Promise.all(objects.slice(i, i + 32).map(([key, body]) => bucket.put(key, body)));
      const ds = await activeDataSource(k, {
        IndexId: indexId, Name: 'paging', Type: 'S3',
        Configuration: { S3Configuration: { BucketName: bucket.name, DocumentsMetadataConfiguration: { S3Prefix: 'm/' } } },
      });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
      assert.deepEqual(metrics(job), { scanned: '1054', added: '1054', modified: '0', deleted: '0', failed: '0' });
      const titles = Object.fromEntries((await tables.documents(ds)).map((d) => [d.document_id.slice(`s3://${bucket.name}/`.length), d.title]));
      assert.equal(Object.keys(titles).length, 1054);
      assert.deepEqual(
        ['p/a', 'p/a-1', 'p/a.txt', 'p/a/b', 'p/f0998.txt', 'p/f0999.txt', 'p/f1000.txt', 'p/f1001.txt'].map((key) => titles[key]),
        ['Title of p/a', 'Title of p/a-1', 'a.txt', 'Title of p/a/b', 'f0998.txt', 'Title of p/f0999.txt', 'Title of p/f1000.txt', 'f1001.txt'],
      );
      const again = await syncToEnd(k, indexId, ds);
      assert.deepEqual(metrics(again), { scanned: '1054', added: '0', modified: '0', deleted: '0', failed: '0' });
    });

    test("a metadata prefix written without its slash ('metadata', as Kendra's samples write it) is the folder metadata/, for S3Configuration and the S3 template", async () => {
      const configurations = {
        s3: (bucket: string) => ({ S3Configuration: { BucketName: bucket, DocumentsMetadataConfiguration: { S3Prefix: 'metadata' } } }),
        template: (bucket: string) => ({
          TemplateConfiguration: {
            Template: {
              type: 'S3', syncMode: 'FULL_CRAWL', connectionConfiguration: { repositoryEndpointMetadata: { BucketName: bucket } },
              additionalProperties: { metadataFilesPrefix: 'metadata' },
            },
          },
        }),
      };
      for (const [kind, configuration] of Object.entries(configurations)) {
        const bucket = await Bucket.create(moto.client(), `meta-folder-${kind}-${backend.name}`);
        await bucket.put('docs/a.txt', 'The first document, about the wombatmetadata.');
        await bucket.put('docs/b.txt', 'The second document, with no metadata file.');
        // Starts with the prefix's word but is not in its folder: a document like any other.
        await bucket.put('metadata-notes.txt', 'Notes beside the metadata folder.');
        await bucket.put('metadata/docs/a.txt.metadata.json', JSON.stringify({ Title: 'Title from metadata', Attributes: { _category: 'guides', team: 'search' } }));
        const uri = `s3://${bucket.name}/`;
        const ds = await activeDataSource(k, { IndexId: indexId, Name: `meta-folder-${kind}`, Type: kind === 's3' ? 'S3' : 'TEMPLATE', Configuration: configuration(bucket.name) });
        const job = await syncToEnd(k, indexId, ds);
        assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
        assert.deepEqual(metrics(job), { scanned: '3', added: '3', modified: '0', deleted: '0', failed: '0' }, kind);
        const titles = Object.fromEntries((await tables.documents(ds)).map((d) => [d.document_id.slice(uri.length), d.title]));
        assert.deepEqual(titles, { 'docs/a.txt': 'Title from metadata', 'docs/b.txt': 'b.txt', 'metadata-notes.txt': 'metadata-notes.txt' }, kind);
        const found = await k.send(new QueryCommand({
          IndexId: indexId, QueryText: 'wombatmetadata',
          AttributeFilter: { AndAllFilters: [
            { EqualsTo: { Key: '_data_source_id', Value: { StringValue: ds } } },
            { EqualsTo: { Key: 'team', Value: { StringValue: 'search' } } },
            { EqualsTo: { Key: '_category', Value: { StringValue: 'guides' } } },
          ] },
        }));
        assert.deepEqual(found.ResultItems!.map((r) => [r.DocumentId, r.DocumentTitle?.Text]), [[`${uri}docs/a.txt`, 'Title from metadata']], kind);
      }
    });

    test('a bucket that does not exist: FAILED, InvalidRequest, NoSuchBucket', async () => {
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'missing', Type: 'S3', Configuration: { S3Configuration: { BucketName: 'no-such-bucket-here' } } });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'FAILED');
      assert.equal(job.ErrorCode, 'InvalidRequest');
      assert.equal(job.DataSourceErrorCode, 'NoSuchBucket');
      assert.match(job.ErrorMessage!, /no-such-bucket-here' does not exist/);
      assert.deepEqual(metrics(job), { scanned: '0', added: '0', modified: '0', deleted: '0', failed: '0' });
    });

    test('a malformed S3 template is refused with ValidationException', async () => {
      const bad: NonNullable<TemplateConfiguration['Template']>[] = [
        { type: 'S3', connectionConfiguration: { repositoryEndpointMetadata: {} } },
        { type: 'S3', syncMode: 'SOMETIMES', connectionConfiguration: { repositoryEndpointMetadata: { BucketName: 'fine-bucket' } } },
        { type: 'S3', connectionConfiguration: { repositoryEndpointMetadata: { BucketName: 'fine-bucket' } }, additionalProperties: { inclusionPatterns: 'docs/*' } },
        { type: 'S3', connectionConfiguration: { repositoryEndpointMetadata: { BucketName: 'fine-bucket' } }, additionalProperties: { exclusionPatterns: ['[z-a]'] } },
        { type: 'S3', bucket: 'typo', connectionConfiguration: { repositoryEndpointMetadata: { BucketName: 'fine-bucket' } } },
      ];
      for (const [i, Template] of bad.entries())
        await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: `bad-${i}`, Type: 'TEMPLATE', RoleArn: ROLE, Configuration: { TemplateConfiguration: { Template } } })), 'ValidationException');
    });
  });
}
