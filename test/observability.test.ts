// What an operator sees of kendrite (issue 13): the log's JSON lines (a line per request, per sync
// start, change, end and failure, never a secret), /metrics after a known sync (exact counts), and the
// CLI's `sync --wait` (plain lines when not on a terminal, exit codes by the job's end) and `jobs --watch`.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DescribeIndexCommand, ListIndicesCommand, QueryCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeIndex, rejectsWith } from './support/kendra.js';
import { freePort, userEnv } from './support/process.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore, waitFor } from './support/server.js';
import { activeDataSource, folderTemplate } from './support/sync.js';
import { assertOk, rawRequest } from './support/rawClient.js';
import { Bucket, Moto } from './support/moto.js';
import type { Connector } from '../src/connectors/contract.js';
import { FolderConnector } from '../src/connectors/filesystem.js';
import { S3Connector } from '../src/connectors/s3.js';
import { isoTime } from '../src/observe/log.js';

const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');
const SECRET_KEY = 'obs-secret-key-5c1d9e';
const DB_PASSWORD = 'obs-db-password-77f2a0';
const USER_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.obs-user-token-payload.c2lnbmF0dXJl';
const CREDS = { accessKeyId: 'AKIDOBS', secretAccessKey: SECRET_KEY };
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:obs-db';
const SEVEN = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];

type Line = Record<string, any>;

/** `kendrite <args>` with output to a pipe (not a terminal), as a CI job runs it. */
function kendrite(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd: tmpdir() }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
}

/** Prometheus's text format: `name{labels} value` → a map from `name{labels}` (labels as written) to the value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not a metric line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

for (const backend of backends()) {
  describeOrSkip(`logs, metrics and the CLI's sync progress [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let metricsUrl: string;
    let env: NodeJS.ProcessEnv;
    let base: string;
    let folderDs: string;

    /** Every line the server logged, each parsed (all must be JSON: the output is not a terminal). */
    const logLines = (): Line[] =>
      server.logs.join('').split('\n').filter(Boolean).map((l) => {
        try {
          return JSON.parse(l) as Line;
        } catch {
          assert.fail(`a log line that is not JSON: ${l}`);
        }
      });
    const scrape = async () => {
      const res = await fetch(metricsUrl);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      return parseMetrics(await res.text());
    };

    before(async () => {
      base = mkdtempSync(path.join(tmpdir(), 'kendrite-obs-'));
      for (const [i, word] of SEVEN.entries()) {
        mkdirSync(path.join(base, 'seven', String(i % 3)), { recursive: true });
        writeFileSync(path.join(base, 'seven', String(i % 3), `${word}.txt`), `The ${word} document of the observed sync.`);
      }
      mkdirSync(path.join(base, 'broken'));
      writeFileSync(path.join(base, 'broken', 'fine.txt'), 'A readable document.');
      symlinkSync('/etc/hostname', path.join(base, 'broken', 'link.txt'));
      const secretsFile = path.join(base, 'secrets.json');
      writeFileSync(secretsFile, JSON.stringify({ [SECRET_ARN]: { username: 'kendra', password: DB_PASSWORD } }));
      store = await TestStore.create(backend.name);
      const port = await freePort();
      metricsUrl = `http://127.0.0.1:${port}/metrics`;
      server = await TestServer.start(store, {
        config: { credentials: [{ ...CREDS }], folders: { allowedRoots: [base] }, secrets: { file: secretsFile }, metrics: { port } },
        env: { KENDRITE_LOG_LEVEL: 'info' },
      });
      k = server.client(CREDS);
      indexId = await activeIndex(k);
      folderDs = await activeDataSource(k, { IndexId: indexId, Name: 'seven', Type: 'TEMPLATE', Configuration: folderTemplate(path.join(base, 'seven')) });
      env = userEnv({ AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_ENDPOINT_URL_KENDRA: server.url });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(base, { recursive: true, force: true });
    });

    test('one line per request: operation, status, error type, milliseconds, account, and the request id the client got', async () => {
      await k.send(new ListIndicesCommand({}));
      const err = await rejectsWith(k.send(new DescribeIndexCommand({ Id: 'a'.repeat(36) })), 'ResourceNotFoundException');
      const requestId = (err.$metadata as { requestId?: string }).requestId;
      assert.match(requestId ?? '', /^[0-9a-f-]{36}$/);
      const line = await waitFor('the request line', async () => logLines().find((l) => l.requestId === requestId));
      assert.deepEqual(
        { level: line.level, msg: line.msg, operation: line.operation, status: line.status, errorType: line.errorType, account: line.account, ms: typeof line.ms },
        { level: 'info', msg: 'request', operation: 'DescribeIndex', status: 400, errorType: 'ResourceNotFoundException', account: '000000000000', ms: 'number' },
      );
      const listed = logLines().filter((l) => l.msg === 'request' && l.operation === 'ListIndices');
      assert.equal(listed.length, 1);
      assert.equal(listed[0]!.status, 200);
      assert.equal(listed[0]!.errorType, undefined);
    });

    test('sync --wait: plain progress lines, exit 0 on SUCCEEDED; the log tells the sync; /metrics counts it exactly', async () => {
      const r = await kendrite(['sync', indexId, folderDs, '--wait', '--interval', '0.1'], env);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0, r.stdout);
      const lines = r.stdout.trimEnd().split('\n');
      const executionId = /^(\S+) started$/.exec(lines[0]!)?.[1];
      assert.ok(executionId, r.stdout);
      assert.match(lines.at(-1)!, new RegExp(`^${executionId} SUCCEEDED in \\d+\\.\\ds: scanned 7, added 7, modified 0, deleted 0, failed 0$`));
      for (const l of lines.slice(1, -1))
        assert.match(l, /^(SYNCING|SYNCING_INDEXING) scanned \d, added \d, modified 0, deleted 0, failed 0( of 7 expected)?( \(\d+\.\d\/s\))?$/);

      const job = assertOk(await rawRequest(server.url, { target: 'KendriteService.DescribeSyncJob', body: { ExecutionId: executionId }, credentials: CREDS })).Job as Record<string, any>;
      assert.equal(job.Status, 'SUCCEEDED');
      assert.equal(job.DocumentsExpected, 7);

      // Lines reach stderr in batches (every 64 KB, or within 200 ms): the job's end may have been logged but not yet written.
      const told = await waitFor('the sync ended line', async () => {
        const lines = logLines().filter((l) => l.executionId === executionId);
        return lines.some((l) => l.msg === 'sync ended SUCCEEDED') ? lines : undefined;
      });
      assert.deepEqual(told.map((l) => [l.level, l.msg]), [
        ['info', 'sync started'],
        ['info', 'sync SYNCING_INDEXING'],
        ['info', 'sync ended SUCCEEDED'],
      ]);
      const ended = told.at(-1)!;
      assert.deepEqual(ended.metrics, { added: 7, modified: 0, deleted: 0, failed: 0, scanned: 7 });
      assert.equal(ended.dataSourceType, 'TEMPLATE');
      assert.equal(ended.indexId, indexId);
      assert.ok(Number.isInteger(ended.durationMs) && ended.durationMs >= 0);

      const m = await scrape();
      const ds = (action: string) => m.get(`kendrite_sync_documents_total{data_source_type="TEMPLATE",action="${action}"}`);
      assert.deepEqual(['added', 'modified', 'deleted', 'failed', 'scanned'].map(ds), [7, 0, 0, 0, 7]);
      assert.equal(m.get('kendrite_sync_jobs_total{data_source_type="TEMPLATE",status="SUCCEEDED"}'), 1);
      assert.equal(m.get(`kendrite_index_documents{index_id="${indexId}"}`), 7);
      const stats = (await k.send(new DescribeIndexCommand({ Id: indexId }))).IndexStatistics!.TextDocumentStatistics!;
      assert.equal(m.get(`kendrite_index_text_bytes{index_id="${indexId}"}`), stats.IndexedTextBytes);
      assert.equal(m.get('kendrite_requests_total{operation="StartDataSourceSyncJob",status="200"}'), 1);
      assert.equal(m.get('kendrite_request_duration_seconds_count{operation="StartDataSourceSyncJob"}'), 1);
      assert.equal([...m.keys()].filter((key) => key.startsWith('kendrite_sync_jobs_running{')).length, 0);
      assert.equal(m.get('kendrite_store_up'), 1);
      assert.equal(m.get('kendrite_worker_up'), 1);
      assert.equal(m.get('kendrite_build_info{version="0.1.0"}'), 1);
    });

    test('sync --wait exits 4 on INCOMPLETE and 3 on FAILED; the failure is logged with its reason, and no secret is', async () => {
      const broken = await activeDataSource(k, { IndexId: indexId, Name: 'broken', Type: 'TEMPLATE', Configuration: folderTemplate(path.join(base, 'broken')) });
      const incomplete = await kendrite(['sync', indexId, broken, '--wait', '--interval', '0.1'], env);
      assert.equal(incomplete.code, 4, incomplete.stdout);
      const tail = incomplete.stdout.trimEnd().split('\n').slice(-2);
      assert.match(tail[0]!, /^\S+ INCOMPLETE in \d+\.\ds: scanned 2, added 1, modified 0, deleted 0, failed 1$/);
      assert.match(tail[1]!, /^the failed documents and why: kendrite report \S+ --action FAILED$/);

      const closed = await freePort();
      const database = await activeDataSource(k, {
        IndexId: indexId, Name: 'db', Type: 'DATABASE',
        Configuration: {
          DatabaseConfiguration: {
            DatabaseEngineType: 'RDS_POSTGRESQL',
            ConnectionConfiguration: { DatabaseHost: '127.0.0.1', DatabasePort: closed, DatabaseName: 'cms', TableName: 'articles', SecretArn: SECRET_ARN },
            ColumnConfiguration: { DocumentIdColumnName: 'id', DocumentDataColumnName: 'body', ChangeDetectingColumns: ['id'] },
          },
        },
      });
      const failed = await kendrite(['sync', indexId, database, '--wait', '--interval', '0.1'], env);
      assert.equal(failed.code, 3, failed.stdout);
      const end = failed.stdout.trimEnd().split('\n').slice(-2);
      const executionId = /^(\S+) FAILED in \d+\.\ds: scanned 0, added 0, modified 0, deleted 0, failed 0$/.exec(end[0]!)?.[1];
      assert.ok(executionId, failed.stdout);
      assert.match(end[1]!, /^InvalidRequest ECONNREFUSED: /);

      const line = await waitFor('the sync failed line', async () => logLines().find((l) => l.executionId === executionId && l.msg === 'sync failed'));
      assert.deepEqual(
        { level: line.level, errorCode: line.errorCode, dataSourceErrorCode: line.dataSourceErrorCode, dataSourceType: line.dataSourceType, status: line.status },
        { level: 'error', errorCode: 'InvalidRequest', dataSourceErrorCode: 'ECONNREFUSED', dataSourceType: 'DATABASE', status: 'FAILED' },
      );
      assert.match(line.reason, new RegExp(`127\\.0\\.0\\.1:${closed}`));
      const m = await scrape();
      assert.equal(m.get('kendrite_sync_jobs_total{data_source_type="DATABASE",status="FAILED"}'), 1);
      assert.equal(m.get('kendrite_sync_jobs_total{data_source_type="TEMPLATE",status="INCOMPLETE"}'), 1);

      // A user token sent with a query (refused: no token configuration) is not logged either.
      await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, QueryText: 'alpha', UserContext: { Token: USER_TOKEN } })), 'ValidationException');
      await waitFor('the query logged', async () => (logLines().some((l) => l.operation === 'Query') ? true : undefined));
      const all = server.logs.join('');
      for (const secret of [SECRET_KEY, DB_PASSWORD, USER_TOKEN, 'obs-user-token-payload']) assert.equal(all.includes(secret), false, `${secret} in the log`);
    });

    test('jobs --watch, not on a terminal: the header once, then each job line as it changes', async () => {
      const watch = spawn(process.execPath, [CLI, 'jobs', indexId, folderDs, '--watch', '--interval', '0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const first = await waitFor('the first table', async () => (out.split('\n').length >= 3 ? out : undefined));
        const r = await kendrite(['sync', indexId, folderDs], env);
        assert.equal(r.code, 0);
        const executionId = r.stdout.trim();
        await waitFor('the new job ended in the watch', async () => (out.includes(`${executionId}`) && / SUCCEEDED /.test(out.split('\n').filter((l) => l.startsWith(executionId)).at(-1) ?? '') ? true : undefined));
        const lines = out.trimEnd().split('\n');
        assert.match(lines[0]!, /^EXECUTION ID\s+STATUS/);
        assert.equal(lines.filter((l) => l.startsWith('EXECUTION ID')).length, 1);
        assert.equal(new Set(lines).size, lines.length);
        assert.match(first.split('\n')[1]!, /^\S+\s+SUCCEEDED\s+\S+\s+\S+\s+7\s+0\s+0\s+0\s+7$/);
        const mine = lines.filter((l) => l.startsWith(executionId)).map((l) => l.split(/\s+/)[1]);
        assert.equal(mine.at(-1), 'SUCCEEDED');
        assert.ok(mine.slice(0, -1).every((s) => s === 'SYNCING' || s === 'SYNCING_INDEXING'), mine.join(' '));
        assert.match(lines.at(-1)!, /^\S+\s+SUCCEEDED\s+\S+\s+\S+\s+0\s+0\s+0\s+0\s+7$/);
      } finally {
        watch.kill();
      }
    });

    test('/metrics is not on the API port unless asked for; /health says what it checked', async () => {
      const res = await fetch(`${server.url}/metrics`);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { __type: string }).__type, 'UnknownOperationException');
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', version: '0.1.0', store: backend.name, checks: { store: 'ok', worker: 'ok' } });
    });
  });
}

/** What a connector's enumerate yields that is scanned: documents and per-document failures. */
async function scannedItems(connector: Connector): Promise<number> {
  let n = 0;
  const ctx = { signal: new AbortController().signal, maxDocumentBytes: 1000 };
  for await (const f of connector.enumerate(ctx)) if (f.kind === 'document' || f.id !== undefined) n++;
  return n;
}

describe('counting ahead: the progress total is what the walk and the listing will yield', () => {
  let moto: Moto;
  let dir: string;
  before(async () => {
    moto = await Moto.start();
    dir = mkdtempSync(path.join(tmpdir(), 'kendrite-count-'));
  });
  after(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a folder: files in subfolders, metadata side files, exclusions, a link and a too large file', async () => {
    for (const f of ['a.txt', 'b/c.txt', 'b/d/e.md', 'b/d/e.md.metadata.json', 'drafts/x.tmp', 'big.txt', 'b/f.tmp'])
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }), writeFileSync(path.join(dir, f), f === 'big.txt' ? 'x'.repeat(5000) : f);
    symlinkSync('/etc/hostname', path.join(dir, 'b', 'link.txt'));
    const rules = { exclusionPatterns: ['**/*.tmp'] };
    const connector = new FolderConnector({ path: dir, ...rules }, [dir]);
    const ctx = { signal: new AbortController().signal, maxDocumentBytes: 1000 };
    assert.equal(await connector.count(ctx), 5);
    assert.equal(await scannedItems(connector), 5);
  });

  test('a bucket: prefixes, patterns, metadata files under their own prefix, folder placeholders', async () => {
    const s3 = moto.client();
    const bucket = await Bucket.create(s3, 'counted');
    for (const key of ['docs/a.txt', 'docs/b.txt', 'docs/sub/', 'docs/sub/c.txt', 'docs/d.tmp', 'docs/e.txt.metadata.json', 'meta/docs/a.txt.metadata.json', 'other/f.txt'])
      await bucket.put(key, key.endsWith('.json') ? JSON.stringify({ Title: 'T' }) : key);
    const connector = new S3Connector(s3, { bucket: 'counted', inclusionPrefixes: ['docs/'], exclusionPatterns: ['*.tmp'], metadataPrefix: 'meta/' });
    const ctx = { signal: new AbortController().signal, maxDocumentBytes: 1000 };
    assert.equal(await connector.count(ctx), 3);
    assert.equal(await scannedItems(connector), 3);
  });
});

test('the log level and the readable format: `--log-level warn` drops request lines; pretty lines are not JSON', async () => {
  const store = await TestStore.create('sqlite');
  try {
    const quiet = await TestServer.start(store, { env: { KENDRITE_LOG_LEVEL: 'warn' } });
    await quiet.client().send(new ListIndicesCommand({}));
    await quiet.stop();
    assert.equal(quiet.logs.join(''), '');
    const pretty = await TestServer.start(store, { env: { KENDRITE_LOG_FORMAT: 'pretty', KENDRITE_LOG_LEVEL: 'debug' } });
    await pretty.client().send(new ListIndicesCommand({}));
    await fetch(`${pretty.url}/health`);
    await pretty.stop();
    const text = pretty.logs.join('').replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: kendrite started\n/);
    assert.match(text, /\] INFO: request\n\s+requestId: "[0-9a-f-]{36}"\n\s+operation: "ListIndices"\n\s+status: 200\n/);
    assert.match(text, /\] DEBUG: request\n\s+requestId: "[0-9a-f-]{36}"\n\s+operation: "GET \/health"\n/);
    assert.equal(text.split('\n').some((l) => l.startsWith('{')), false);
  } finally {
    await store.destroy();
  }
});

test('JSON lines gathered for a batched write all reach the log when the process ends: idle, by process.exit, or by a crash', async () => {
  const logModule = path.join(REPO_ROOT, 'dist/src/observe/log.js');
  // 600 lines of about 200 bytes: some handed to the writer on the way (every 64 KB), the rest still gathered at the end.
  // Every other line is text of two-byte characters (a buffer may fill in the middle of one), and line 250 is longer
  // than a buffer (40,000 of them: 80,000 bytes).
  const padding = (i: number) => (i === 250 ? 'é'.repeat(40_000) : i % 2 ? 'é'.repeat(120) : 'x'.repeat(120));
  const script = (end: string) =>
    `import { createLog } from ${JSON.stringify(logModule)};
     const log = createLog({ level: 'info', format: 'json' });
     const padding = ${padding.toString()};
     for (let i = 0; i < 600; i++) log.info({ i, padding: padding(i) }, 'line');
     ${end}`;
  for (const [how, end] of [['idle', ''], ['exit', 'process.exit(0);'], ['crash', "setTimeout(() => { throw new Error('crash'); }, 5);"]] as const) {
    const stderr = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script(end)], { stdio: ['ignore', 'ignore', 'pipe'] });
      // Decoded once whole: a chunk may end inside a character.
      const chunks: Buffer[] = [];
      child.stderr.on('data', (d: Buffer) => chunks.push(d));
      child.once('close', () => resolve(Buffer.concat(chunks).toString()));
    });
    const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { i: number; padding: string });
    assert.deepEqual(lines.map((l) => l.i), [...Array(600).keys()], how);
    assert.deepEqual(lines.filter((l) => l.padding !== padding(l.i)).map((l) => l.i), [], how);
  }
});

test('gathered JSON lines are written by the first line logged 100 ms after the last write, while the thread is busy (no timer needed): between requests, not in one', async () => {
  const logModule = path.join(REPO_ROOT, 'dist/src/observe/log.js');
  // The thread never yields: no timer runs. Line "late" is logged 150 ms after the log was made; "busy" is
  // printed on stdout right after it, then the thread stays busy for two seconds more.
  const script = `import { writeSync } from 'node:fs';
     import { createLog } from ${JSON.stringify(logModule)};
     const log = createLog({ level: 'info', format: 'json' });
     const spin = (ms) => { for (const end = performance.now() + ms; performance.now() < end; ); };
     log.info('early');
     spin(150);
     log.info('late');
     writeSync(1, 'busy\\n');
     spin(2000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise((r) => child.once('close', r));
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('busy') && resolve()));
  await new Promise((r) => setTimeout(r, 300));
  const whileBusy = Buffer.concat(chunks).toString().split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);
  await closed;
  assert.deepEqual(whileBusy, ['early', 'late']);
});

test('the time field of a JSON line is the ISO text of the millisecond it was written in, zeros included, over more than one second', () => {
  const seen = new Set<string>();
  for (const end = Date.now() + 1200; Date.now() < end; ) {
    const before = Date.now();
    const field = isoTime();
    const after = Date.now();
    const m = /^,"time":"(.*)"$/.exec(field);
    assert.ok(m, field);
    const at = Date.parse(m[1]!);
    assert.ok(at >= before && at <= after, `${field} outside ${before}..${after}`);
    assert.equal(m[1], new Date(at).toISOString());
    seen.add(m[1]!.slice(0, 19));
  }
  // Two seconds at least: the date and time to the second are formatted again when the second changes.
  assert.ok(seen.size >= 2, [...seen].join(' '));
});
