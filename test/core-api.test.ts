import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateDataSourceCommand,
  CreateIndexCommand,
  DeleteDataSourceCommand,
  DeleteIndexCommand,
  DescribeDataSourceCommand,
  DescribeIndexCommand,
  KendraClient,
  ListDataSourcesCommand,
  ListIndicesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDataSourceCommand,
  UpdateIndexCommand,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, rejectsWith, ROLE } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

for (const backend of backends()) {
  describeOrSkip(`indices, data sources and tags over @aws-sdk/client-kendra [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('X-1: CreateIndex answers CREATING at once, then ACTIVE; DescribeIndex returns what was given', async () => {
      const { Id } = await k.send(
        new CreateIndexCommand({ Name: 'docs', RoleArn: ROLE, Description: 'the docs', Edition: 'DEVELOPER_EDITION', Tags: [{ Key: 'team', Value: 'search' }] }),
      );
      assert.match(Id!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const first = await k.send(new DescribeIndexCommand({ Id }));
      assert.equal(first.Status, 'CREATING');
      const active = await waitFor('ACTIVE', async () => {
        const d = await k.send(new DescribeIndexCommand({ Id }));
        return d.Status === 'ACTIVE' ? d : undefined;
      });
      assert.equal(active.Name, 'docs');
      assert.equal(active.Edition, 'DEVELOPER_EDITION');
      assert.equal(active.Description, 'the docs');
      assert.equal(active.RoleArn, ROLE);
      assert.ok(active.CreatedAt instanceof Date);
      assert.deepEqual(active.IndexStatistics, {
        FaqStatistics: { IndexedQuestionAnswersCount: 0 },
        TextDocumentStatistics: { IndexedTextDocumentsCount: 0, IndexedTextBytes: 0 },
      });
      const arn = `arn:aws:kendra:us-east-1:000000000000:index/${Id}`;
      assert.deepEqual((await k.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'team', Value: 'search' }]);
    });

    test('I-2: the same ClientToken returns the same index; with another input it is a ConflictException', async () => {
      const a = await k.send(new CreateIndexCommand({ Name: 'idem', RoleArn: ROLE, ClientToken: 'token-1' }));
      const b = await k.send(new CreateIndexCommand({ Name: 'idem', RoleArn: ROLE, ClientToken: 'token-1' }));
      assert.equal(a.Id, b.Id);
      await rejectsWith(k.send(new CreateIndexCommand({ Name: 'other', RoleArn: ROLE, ClientToken: 'token-1' })), 'ConflictException');
    });

    test('ListIndices pages with MaxResults and NextToken, no duplicates, no token after the last page', async () => {
      const fresh = server.client({ accessKeyId: 'AKIDTEST', secretAccessKey: 'x' }, 'eu-west-1');
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add((await fresh.send(new CreateIndexCommand({ Name: `p${i}`, RoleArn: ROLE }))).Id!);
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const page = await fresh.send(new ListIndicesCommand({ MaxResults: 2, NextToken }));
        seen.push(...page.IndexConfigurationSummaryItems!.map((s) => s.Id!));
        NextToken = page.NextToken;
        pages++;
      } while (NextToken);
      assert.equal(pages, 3);
      assert.deepEqual(new Set(seen), ids);
      assert.equal(seen.length, 5);
      // P-8: another region of the same account sees none of them.
      const other = server.client({ accessKeyId: 'AKIDTEST', secretAccessKey: 'x' }, 'ap-south-1');
      assert.deepEqual((await other.send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems, []);
      await rejectsWith(other.send(new DescribeIndexCommand({ Id: [...ids][0] })), 'ResourceNotFoundException');
    });

    test('UpdateIndex: UPDATING then ACTIVE with the new values; DeleteIndex: DELETING then gone (X-2)', async () => {
      const id = await activeIndex(k, 'to-update');
      await k.send(new UpdateIndexCommand({ Id: id, Name: 'updated', Description: 'new' }));
      assert.equal((await k.send(new DescribeIndexCommand({ Id: id }))).Status, 'UPDATING');
      const d = await waitFor('ACTIVE', async () => {
        const x = await k.send(new DescribeIndexCommand({ Id: id }));
        return x.Status === 'ACTIVE' ? x : undefined;
      });
      assert.equal(d.Name, 'updated');
      assert.equal(d.Description, 'new');
      await k.send(new DeleteIndexCommand({ Id: id }));
      await k.send(new DeleteIndexCommand({ Id: id })); // already DELETING: not an error
      await waitFor('index gone', async () => {
        try {
          await k.send(new DescribeIndexCommand({ Id: id }));
          return undefined;
        } catch (e) {
          return (e as Error).name === 'ResourceNotFoundException' ? true : undefined;
        }
      });
      await rejectsWith(k.send(new DeleteIndexCommand({ Id: id })), 'ResourceNotFoundException');
    });

    test('X-3: CreateDataSource on an index that is not ACTIVE is a ConflictException', async () => {
      const { Id } = await k.send(new CreateIndexCommand({ Name: 'creating', RoleArn: ROLE }));
      await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: Id, Name: 'ds', Type: 'CUSTOM' })), 'ConflictException');
    });

    describe('data sources', () => {
      let indexId: string;
      before(async () => {
        indexId = await activeIndex(k, 'ds-index');
      });

      test('D-1/D-3: a CUSTOM data source becomes ACTIVE and is described as given', async () => {
        const id = await activeCustomDataSource(k, indexId, 'custom-one');
        const d = await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: id }));
        assert.equal(d.Type, 'CUSTOM');
        assert.equal(d.Name, 'custom-one');
        assert.equal(d.IndexId, indexId);
        assert.equal(d.Configuration, undefined);
      });

      test('D-2/D-3: an S3 data source keeps Configuration, Schedule, Description, LanguageCode exactly', async () => {
        const Configuration = { S3Configuration: { BucketName: 'my-bucket', InclusionPrefixes: ['docs/'], ExclusionPatterns: ['*.tmp'] } };
        const { Id } = await k.send(
          new CreateDataSourceCommand({ IndexId: indexId, Name: 's3-source', Type: 'S3', RoleArn: ROLE, Configuration, Schedule: 'cron(0 12 * * ? *)', Description: 'bucket', LanguageCode: 'en' }),
        );
        const d = await waitFor('ACTIVE', async () => {
          const x = await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }));
          return x.Status === 'ACTIVE' ? x : undefined;
        });
        assert.deepEqual(d.Configuration, Configuration);
        assert.equal(d.Schedule, 'cron(0 12 * * ? *)');
        assert.equal(d.Description, 'bucket');
        assert.equal(d.LanguageCode, 'en');
        assert.equal(d.RoleArn, ROLE);
      });

      test('D-1: a type kendrite has no connector for becomes ACTIVE like any other (its syncs fail: unsupported-types.test)', async () => {
        const { Id } = await k.send(
          new CreateDataSourceCommand({ IndexId: indexId, Name: 'sp', Type: 'SHAREPOINT', RoleArn: ROLE, Configuration: { SharePointConfiguration: { SharePointVersion: 'SHAREPOINT_ONLINE', Urls: ['https://x.sharepoint.com'], SecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:x' } } }),
        );
        const d = await waitFor('ACTIVE', async () => {
          const x = await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }));
          return x.Status === 'ACTIVE' ? x : undefined;
        });
        assert.equal(d.ErrorMessage, undefined);
      });

      test('D-2: configuration rules are ValidationExceptions', async () => {
        const cases = [
          { Name: 'c1', Type: 'CUSTOM', RoleArn: ROLE },
          { Name: 'c2', Type: 'CUSTOM', Schedule: 'cron(0 12 * * ? *)' },
          { Name: 'c3', Type: 'CUSTOM', Configuration: { S3Configuration: { BucketName: 'bucket-b' } } },
          { Name: 'c4', Type: 'S3', RoleArn: ROLE },
          { Name: 'c5', Type: 'S3', RoleArn: ROLE, Configuration: { WebCrawlerConfiguration: { Urls: { SeedUrlConfiguration: { SeedUrls: ['https://example.com'] } } } } },
          { Name: 'c6', Type: 'S3', Configuration: { S3Configuration: { BucketName: 'bucket-b' } } },
        ] as const;
        const messages = [
          /CUSTOM data source takes no RoleArn/,
          /CUSTOM data source takes no Schedule/,
          /CUSTOM data source takes no Configuration/,
          /S3 data source needs Configuration with exactly S3Configuration/,
          /S3 data source needs Configuration with exactly S3Configuration member; got WebCrawlerConfiguration/,
          /S3 data source needs a RoleArn/,
        ];
        for (const [i, c] of cases.entries()) {
          const e = await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: indexId, ...c } as never)), 'ValidationException');
          assert.match(e.message, messages[i]!);
        }
        const names = (await k.send(new ListDataSourcesCommand({ IndexId: indexId }))).SummaryItems!.map((s) => s.Name);
        for (const c of cases) assert.ok(!names.includes(c.Name), `${c.Name} must not have been created`);
      });

      test('D-6: schedules are AWS cron; rate() and garbage are ValidationExceptions', async () => {
        for (const Schedule of ['rate(5 minutes)', 'cron(0 25 * * ? *)', 'every day', 'cron(0 12 * * * *)'])
          await rejectsWith(
            k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'sched', Type: 'S3', RoleArn: ROLE, Configuration: { S3Configuration: { BucketName: 'bucket-b' } }, Schedule })),
            'ValidationException',
          );
        const { Id } = await k.send(
          new CreateDataSourceCommand({ IndexId: indexId, Name: 'sched', Type: 'S3', RoleArn: ROLE, Configuration: { S3Configuration: { BucketName: 'bucket-b' } }, Schedule: '0 6 ? * MON-FRI *' }),
        );
        assert.ok(Id);
      });

      test('I-3: data source names are unique within an index', async () => {
        await activeCustomDataSource(k, indexId, 'unique-name');
        await rejectsWith(k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'unique-name', Type: 'CUSTOM' })), 'ResourceAlreadyExistException');
        const other = await activeIndex(k, 'other-index');
        assert.ok(await activeCustomDataSource(k, other, 'unique-name'));
      });

      test('D-4: UpdateDataSource sets UPDATING then ACTIVE with the new configuration', async () => {
        const { Id } = await k.send(
          new CreateDataSourceCommand({ IndexId: indexId, Name: 'upd', Type: 'S3', RoleArn: ROLE, Configuration: { S3Configuration: { BucketName: 'bucket-a' } } }),
        );
        await waitFor('ACTIVE', async () => ((await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE' ? true : undefined));
        await k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id, Configuration: { S3Configuration: { BucketName: 'bucket-b' } }, Description: 'moved' }));
        assert.equal((await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status, 'UPDATING');
        const d = await waitFor('ACTIVE', async () => {
          const x = await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }));
          return x.Status === 'ACTIVE' ? x : undefined;
        });
        assert.deepEqual(d.Configuration, { S3Configuration: { BucketName: 'bucket-b' } });
        assert.equal(d.Description, 'moved');
        await rejectsWith(k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id, Configuration: { WebCrawlerConfiguration: { Urls: {} } } })), 'ValidationException');
      });

      test('D-5: DeleteDataSource sets DELETING, then the data source is gone', async () => {
        const id = await activeCustomDataSource(k, indexId, 'doomed');
        await k.send(new DeleteDataSourceCommand({ IndexId: indexId, Id: id }));
        await waitFor('gone', async () => {
          try {
            await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: id }));
            return undefined;
          } catch (e) {
            return (e as Error).name === 'ResourceNotFoundException' ? true : undefined;
          }
        });
      });

      test('ListDataSources pages without duplicates', async () => {
        const ix = await activeIndex(k, 'list-ds');
        const ids = new Set<string>();
        for (let i = 0; i < 5; i++) ids.add((await k.send(new CreateDataSourceCommand({ IndexId: ix, Name: `ds${i}`, Type: 'CUSTOM' }))).Id!);
        const seen: string[] = [];
        let NextToken: string | undefined;
        do {
          const page = await k.send(new ListDataSourcesCommand({ IndexId: ix, MaxResults: 3, NextToken }));
          seen.push(...page.SummaryItems!.map((s) => s.Id!));
          NextToken = page.NextToken;
        } while (NextToken);
        assert.equal(seen.length, 5);
        assert.deepEqual(new Set(seen), ids);
        await rejectsWith(k.send(new ListDataSourcesCommand({ IndexId: '00000000-0000-0000-0000-000000000000' })), 'ResourceNotFoundException');
      });

      test('tags on a data source ARN: tag, list, untag; unknown ARNs are ResourceNotFoundException', async () => {
        const id = await activeCustomDataSource(k, indexId, 'tagged');
        const arn = `arn:aws:kendra:us-east-1:000000000000:index/${indexId}/data-source/${id}`;
        await k.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
        await k.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: '3' }] }));
        assert.deepEqual((await k.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'a', Value: '3' }, { Key: 'b', Value: '2' }]);
        await k.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] }));
        assert.deepEqual((await k.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'b', Value: '2' }]);
        await rejectsWith(k.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}x` })), 'ResourceNotFoundException');
        await rejectsWith(k.send(new TagResourceCommand({ ResourceARN: 'arn:aws:s3:::bucket', Tags: [{ Key: 'a', Value: 'b' }] })), 'ResourceNotFoundException');
      });
    });

    test('one process per SQLite data directory: a second server on it is refused with a clear message', { skip: backend.name !== 'sqlite' && 'SQLite only: PostgreSQL is shared on purpose' }, async () => {
      await assert.rejects(TestServer.start(store), /exited with 2 before listening:[\s\S]*is in use by kendrite process \d+/);
      assert.equal((await k.send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems!.length > 0, true);
    });

    test('restart: indices, data sources and tags survive a stop and start on the same store', async () => {
      const id = await activeIndex(k, 'durable');
      const ds = await activeCustomDataSource(k, id, 'durable-ds');
      const arn = `arn:aws:kendra:us-east-1:000000000000:index/${id}`;
      await k.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'keep', Value: 'me' }] }));
      const before = await k.send(new DescribeDataSourceCommand({ IndexId: id, Id: ds }));
      await server.stop();
      server = await TestServer.start(store);
      k = server.client();
      const ix = await k.send(new DescribeIndexCommand({ Id: id }));
      assert.equal(ix.Status, 'ACTIVE');
      assert.equal(ix.Name, 'durable');
      const after = await k.send(new DescribeDataSourceCommand({ IndexId: id, Id: ds }));
      assert.deepEqual({ ...after, $metadata: undefined }, { ...before, $metadata: undefined });
      assert.deepEqual((await k.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'keep', Value: 'me' }]);
    });
  });
}
