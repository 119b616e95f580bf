// The reliability suite's fuzzer, fast subset (fixed seed, 8 inputs per operation): every
// operation the server answers, on both backends, plus the framing cases. The full run (≥ 50 inputs
// per operation) is `npm run bench -- reliability`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { casesFor, fuzzedOperations, fuzzOperations } from './support/reliability/fuzz.js';
import { assertError, rawRequest } from './support/rawClient.js';
import { framingCases } from './support/reliability/framing.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

const SEED = 15;
const PER_OPERATION = 8;

test('the fuzzer covers every operation of the generated model and kendrite’s own, with the same cases for the same seed', () => {
  const ops = fuzzedOperations();
  assert.ok(ops.includes('CreateFaq') && ops.includes('Query') && ops.includes('KendriteService.DescribeSyncJobReport'));
  const f = { indexId: 'i', dataSourceId: 'd', executionId: 'e', indexArn: 'a' };
  // A few operations' worth (building every operation's cases takes a while; the run below builds them all).
  for (const op of ['CreateIndex', 'Query', 'BatchPutDocument', 'KendriteService.DescribeSyncJobReport']) {
    const cases = casesFor(op, 50, SEED, f);
    assert.equal(cases.length, 50, op);
    assert.deepEqual(casesFor(op, 50, SEED, f), cases, op);
  }
});

for (const backend of backends()) {
  describeOrSkip(`reliability: the fuzzer over every operation [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: { KENDRITE_TRANSITION_DELAY_MS: '20' } });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test(`${PER_OPERATION} inputs per operation: no 5xx, none slower than 5 s, refused writes change nothing, the server lives`, async () => {
      const r = await fuzzOperations({ server, store, backend: backend.name, perOperation: PER_OPERATION, seed: SEED });
      assert.deepEqual(r.failures, []);
      assert.equal(r.tried, fuzzedOperations().length * PER_OPERATION);
      assert.equal(r.held, r.tried);
      assert.equal(server.proc.exitCode, null);
    });

    test('found by the fuzzer: DescribeSyncJobReport with MaxResults a deeply nested array → SerializationException (it was a 500)', async () => {
      for (const MaxResults of ['[[[[1]]]]', `${'['.repeat(5000)}1${']'.repeat(5000)}`, '"10"', '{}']) {
        const res = await rawRequest(server.url, { target: 'KendriteService.DescribeSyncJobReport', body: `{"ExecutionId":"x","MaxResults":${MaxResults}}` });
        assert.equal(assertError(res, 400, 'SerializationException'), "Invalid type at 'maxResults': expected an integer");
      }
    });

    test('framing: malformed, split, oversized and abandoned requests on raw sockets: no 5xx, the server lives', async () => {
      const r = await framingCases({ server, backend: backend.name });
      assert.deepEqual(r.failures, []);
      assert.equal(r.held, r.tried);
      assert.ok(r.tried >= 20);
    });
  });
}
