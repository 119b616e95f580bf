import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

// The script lives next to the sources; the compiled test runs from dist/test.
const SCRIPT = fileURLToPath(new URL('../../test/support/boto3_search_features.py', import.meta.url));
const boto3Skip = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0 ? undefined : 'skipped: boto3 not found';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function scenario(url: string, s3: string, name: string): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile('python3', [SCRIPT, url, s3, name], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`boto3 scenario ${name} failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout));
    });
  });
}

let moto: Moto;
before(async () => {
  moto = await Moto.start();
});
after(async () => {
  await moto?.stop();
});

for (const backend of backends()) {
  describeOrSkip(`query suggestions and analytics through boto3 [${backend.name}]`, { skip: backend.skip || boto3Skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env, config: { queryLog: { suggestionsRefreshMs: 0 } } });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('query suggestions: settings, suggestions, block list, document fields, clear', async () => {
      const out = await scenario(server.url, moto.endpoint, 'suggestions');
      assert.deepEqual(out, {
        defaults: {
          Mode: 'ENABLED', Status: 'ACTIVE', QueryLogLookBackWindowInDays: 180, IncludeQueriesWithoutUserInformation: true, MinimumNumberOfQueryingUsers: 3,
          MinimumQueryCount: 5, LastSuggestionsBuildTime: '<datetime>', TotalSuggestionsCount: 0,
          AttributeSuggestionsConfig: { SuggestableConfigList: [{ AttributeName: '_document_title', Suggestable: true }], AttributeSuggestionsMode: 'ACTIVE' },
        },
        suggestions: [
          { Text: { Text: 'upcoming events 2050', Highlights: [{ BeginOffset: 0, EndOffset: 10 }] } },
          { Text: { Text: 'upcoming elections', Highlights: [{ BeginOffset: 0, EndOffset: 10 }] } },
        ],
        blockList: {
          IndexId: true, Id: true, Name: 'offensive-words', Status: 'ACTIVE', CreatedAt: '<datetime>', UpdatedAt: '<datetime>',
          SourceS3Path: { Bucket: 'boto3-block-lists', Key: 'block.txt' }, ItemCount: 1, FileSizeBytes: 10, RoleArn: 'arn:aws:iam::000000000000:role/kendra',
        },
        listed: [{ Id: true, Name: 'offensive-words', Status: 'ACTIVE', CreatedAt: '<datetime>', UpdatedAt: '<datetime>', ItemCount: 1 }],
        blocked: ['upcoming events 2050'],
        fields: [["Upcoming events: What's happening in 2050", [{ DocumentId: 'events', SuggestionAttributes: ['_document_title'], AdditionalAttributes: [] }]]],
        deleted: 'ResourceNotFoundException',
        afterClear: { TotalSuggestionsCount: 0, LastClearTime: true, MinimumQueryCount: 2 },
        tooShort: [],
        badCount: 'ValidationException',
      });
    });
  });
}
