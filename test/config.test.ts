import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListIndicesCommand } from '@aws-sdk/client-kendra';
import { REPO_ROOT, TestServer, TestStore } from './support/server.js';

const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');

describe('kendrite serve refuses settings it does not know, naming them and what was meant', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kendrite-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `kendrite serve` as a user would; it must exit before listening. */
  function serve(args: string[], env: Record<string, string> = {}) {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KENDRITE_')));
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dir, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test('an unknown key in the config file, at any level of the known objects', () => {
    const file = path.join(dir, 'typos.json');
    writeFileSync(file, JSON.stringify({
      sync: { fetchConcurency: 4 },
      limit: { maxDocumentBytes: 1000 },
      fetchConcurrency: 2,
      credentials: [{ accessKeyId: 'AKID', secretAccesKey: 'secret' }],
      throttle: { Query: { rate: 1, burst: 2 } },
      folders: { allowedRoot: ['/srv'] },
      colour: 'blue',
    }));
    const r = serve(['--config', file]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `kendrite: config file ${file}: unknown settings sync.fetchConcurency (did you mean sync.fetchConcurrency?), limit (did you mean limits?), ` +
        'fetchConcurrency (did you mean sync.fetchConcurrency?), credentials[0].secretAccesKey (did you mean credentials[0].secretAccessKey?), ' +
        'throttle.Query.rate (did you mean throttle.Query.ratePerSecond?), folders.allowedRoot (did you mean folders.allowedRoots?), ' +
        'colour (known here: host, port, dataDir, databaseUrl, allowOpenPublic, credentials, maxClockSkewSeconds, maxBodyBytes, transitionDelayMs, throttle, sync, retention, limits, s3, folders, search, secrets, crawler, log, metrics, queryLog)\n',
    );
  });

  test('an unknown KENDRITE_* environment variable', () => {
    const r = serve([], { KENDRITE_DATABASE_ULR: 'postgres://x', KENDRITE_TRANSITION_DELAY: '10' });
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      'kendrite: unknown environment variables KENDRITE_DATABASE_ULR (did you mean KENDRITE_DATABASE_URL?), KENDRITE_TRANSITION_DELAY (did you mean KENDRITE_TRANSITION_DELAY_MS?); ' +
        'kendrite reads KENDRITE_CONFIG, KENDRITE_HOST, KENDRITE_PORT, KENDRITE_DATA_DIR, KENDRITE_DATABASE_URL, KENDRITE_ALLOW_OPEN_PUBLIC, KENDRITE_TRANSITION_DELAY_MS, ' +
        'KENDRITE_LEASE_SECONDS, KENDRITE_SYNC_WRITE_TRANSACTION_MS, KENDRITE_S3_ENDPOINT, KENDRITE_SECRETS_ENDPOINT, KENDRITE_SECRETS_FILE, KENDRITE_SEARCH_STATEMENT_TIMEOUT_MS, KENDRITE_SEARCH_READ_THREADS, KENDRITE_SEARCH_CONNECTIONS, KENDRITE_CRAWLER_ALLOW_CIDRS, KENDRITE_FOLDER_ROOTS, ' +
        'KENDRITE_LOG_LEVEL, KENDRITE_LOG_FORMAT, KENDRITE_METRICS_PORT (KENDRITE_TEST_* and KENDRITE_BENCH_* belong to the tests and benchmarks)\n',
    );
  });

  test("the tests' and benchmarks' variables are theirs: a server started beside them serves, with its known settings applied", async () => {
    const store = await TestStore.create('sqlite');
    const file = path.join(store.dataDir, 'good.json');
    writeFileSync(file, JSON.stringify({ sync: { fetchConcurrency: 2 }, limits: { maxDocumentBytes: 1000 }, throttle: { Query: { ratePerSecond: 5, burst: 5 } } }));
    const server = await TestServer.start(store, { env: { KENDRITE_TEST_ANYTHING: '1', KENDRITE_BENCH_FOLDER_FILES: '10', KENDRITE_CONFIG: file, KENDRITE_LEASE_SECONDS: '20' } });
    try {
      assert.deepEqual((await server.client().send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems, []);
    } finally {
      await server.stop();
      await store.destroy();
    }
  });
});
